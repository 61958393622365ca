"""The VNPay payment gateway (VNPAY-QR / cards / bank accounts): redirect to the payment page
with signed ``vnp_*`` parameters, the citizen's return, and the server-to-server IPN signed with
HMAC-SHA512, answered with VNPay's ``RspCode`` table. docs/payments.md, "VNPay"."""
