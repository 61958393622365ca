"""VietQR (NAPAS): an EMVCo merchant-presented QR code for a transfer to the collecting account,
the dossier code as its purpose; confirmed by the bank's credit webhook or by the bank statement
(reconciliation). docs/payments.md, "VietQR"."""
