"""A VNPay gateway and a collecting bank (VietQR transfers), as their own process."""
