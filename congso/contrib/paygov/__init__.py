"""The national payment platform of the Cổng Dịch vụ công quốc gia ("PayGov") — an adapter
for a protocol *assumed* until the platform's integration document is available (docs/
payments.md, "National payment platform"); played by ``simulators/paygov``."""
