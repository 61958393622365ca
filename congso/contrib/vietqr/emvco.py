"""The VietQR payload: EMVCo QR Code Specification for Payment Systems, merchant-presented mode,
as NAPAS profiles it (tag 38 with the NAPAS GUID). TLV: two-digit tag, two-digit length, value.

=====  ==========================================================================
00     ``01`` payload format indicator
01     ``11`` static (reusable), ``12`` dynamic (one transaction, amount fixed)
38     NAPAS merchant account: ``00`` GUID ``A000000727``; ``01`` beneficiary
       (``00`` bank BIN, ``01`` account number); ``02`` service ``QRIBFTTA``
53     ``704`` (VND)
54     amount (integer VND; dynamic only)
58     ``VN``
62     additional data: ``08`` purpose of transaction (the dossier code)
63     CRC-16/CCITT-FALSE over everything before it *including* ``6304``, 4 hex digits
=====  ==========================================================================
"""

from __future__ import annotations

import re
import unicodedata

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
#: Characters a bank app keeps in the transfer note.
_PURPOSE = re.compile(r"[^A-Za-z0-9 .\-/]")


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise ValueError(f"value of tag {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def purpose_text(text: str) -> str:
    """ASCII for the transfer note (diacritics dropped, Đ→D)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _PURPOSE.sub("", folded).strip()[:50]


def payload(
    *, bank_bin: str, account: str, amount_vnd: int | None, purpose: str, merchant_name: str = ""
) -> str:
    if not (len(bank_bin) == 6 and bank_bin.isdigit()):
        raise ValueError("the bank BIN has 6 digits")
    if not account or not account.isalnum():
        raise ValueError("the account number is letters and digits")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    parts = [tlv("00", "01"), tlv("01", "12" if amount_vnd else "11"), tlv("38", merchant)]
    parts.append(tlv("53", CURRENCY_VND))
    if amount_vnd:
        parts.append(tlv("54", str(int(amount_vnd))))
    parts.append(tlv("58", COUNTRY))
    if merchant_name:
        parts.append(tlv("59", purpose_text(merchant_name)[:25]))
    note = purpose_text(purpose)
    if note:
        parts.append(tlv("62", tlv("08", note)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse(text: str) -> dict[str, str]:
    """The top-level tags of a payload, nested templates (26–51, 62) as ``"38.01.00"`` keys;
    raises ValueError when the structure or the CRC is wrong."""
    if len(text) < 8 or text[-8:-4] != "6304":
        raise ValueError("no CRC tag at the end")
    expected = f"{crc16_ccitt_false(text[:-4].encode('ascii')):04X}"
    if text[-4:].upper() != expected:
        raise ValueError(f"CRC {text[-4:]} should be {expected}")
    return _read(text[:-8], "")


def _read(text: str, prefix: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        tag, length = text[position : position + 2], text[position + 2 : position + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise ValueError(f"bad TLV at {position}")
        value = text[position + 4 : position + 4 + int(length)]
        if len(value) != int(length):
            raise ValueError(f"tag {tag} is cut short")
        key = f"{prefix}{tag}"
        fields[key] = value
        if (not prefix and (26 <= int(tag) <= 51 or tag == "62")) or key == "38.01":
            fields.update(_read(value, f"{key}."))
        position += 4 + int(length)
    return fields
