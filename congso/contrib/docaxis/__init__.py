"""The national document axis (Trục liên thông văn bản quốc gia, QĐ 28/2018/QĐ-TTg) as an
exchange back-end: a pull model — send a package, list what waits for us, fetch it, confirm
it — with a system id and secret per connected system. ``docs/eoffice.md``, "Transport"."""
