"""The RFC 3161 time-stamps inside a signed PDF, read without validating them: each signature's
time-stamp and the document (archival) time-stamps, with when their TSA's certificate ends
(what :mod:`congso.signing.archive` schedules on, and what the validation report lists)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader


@dataclass(frozen=True)
class TimeStamp:
    """One RFC 3161 time-stamp in a PDF: a signature's (``signature``) or a document
    time-stamp (``document``, the archival ones)."""

    kind: str
    field_name: str
    time: datetime.datetime
    tsa: str
    tsa_not_after: datetime.datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "field_name": self.field_name,
            "time": self.time.isoformat(),
            "tsa": self.tsa,
            "tsa_not_after": self.tsa_not_after.isoformat(),
        }


def _token_info(
    signed_data: cms.SignedData,
) -> tuple[datetime.datetime, asn1_x509.Certificate | None]:
    tst_info = signed_data["encap_content_info"]["content"].parsed
    moment: datetime.datetime = tst_info["gen_time"].native
    signer_id = signed_data["signer_infos"][0]["sid"]
    for choice in signed_data["certificates"] or ():
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if signer_id.name == "issuer_and_serial_number":
            wanted = signer_id.chosen
            if (
                cert.serial_number == wanted["serial_number"].native
                and cert.issuer == wanted["issuer"]
            ):
                return moment, cert
        elif cert.key_identifier == signer_id.chosen.native:
            return moment, cert
    return moment, None


def _stamp(kind: str, field_name: str, signed_data: cms.SignedData) -> TimeStamp | None:
    moment, cert = _token_info(signed_data)
    if cert is None:
        return None
    return TimeStamp(
        kind=kind,
        field_name=field_name,
        time=moment,
        tsa=cert.subject.human_friendly,
        tsa_not_after=cert["tbs_certificate"]["validity"]["not_after"].native,
    )


def timestamps(pdf: bytes) -> list[TimeStamp]:
    """Every time-stamp of the document, oldest first."""
    return reader_timestamps(PdfFileReader(io.BytesIO(pdf), strict=False))


def reader_timestamps(reader: PdfFileReader) -> list[TimeStamp]:
    found: list[TimeStamp] = []
    for embedded in reader.embedded_regular_signatures:
        unsigned = embedded.signer_info["unsigned_attrs"]
        if unsigned.native is None:
            continue
        for attr in unsigned:
            if attr["type"].native == "signature_time_stamp_token":
                for token in attr["values"]:
                    stamp = _stamp("signature", str(embedded.field_name), token["content"])
                    if stamp is not None:
                        found.append(stamp)
    for embedded in reader.embedded_timestamp_signatures:
        stamp = _stamp("document", str(embedded.field_name), embedded.signed_data)
        if stamp is not None:
            found.append(stamp)
    return sorted(found, key=lambda item: item.time)
