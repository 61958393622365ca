"""A validation report in XML after ETSI TS 119 102-2 (v1.2.1 namespace and URIs): one
``SignatureValidationReport`` per signature with its identifier (the PDF field), validation and
best-signature time, claimed signing time, signer, validation process, main indication and
sub-indication; the signed file and the certificates as ``SignatureValidationObjects``.

It follows the standard's structure and vocabulary and is generated from the same
:class:`~congso.signing.validation.ValidationReport` as the HTML page; it is not checked
against the ETSI XSD (not shipped here). The AdES level reached is given as a project URI
(``urn:congso:signing:level:PAdES-B-T`` …) in ``SignatureQuality``, for which the standard
defines no value."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from congso.signing.validation import FAILED, INDETERMINATE, PASSED, ValidationReport

NS = "http://uri.etsi.org/19102/v1.2.1#"
DS = "http://www.w3.org/2000/09/xmldsig#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
MAIN = {
    PASSED: "urn:etsi:019102:mainindication:total-passed",
    INDETERMINATE: "urn:etsi:019102:mainindication:indeterminate",
    FAILED: "urn:etsi:019102:mainindication:total-failed",
}
PROCESS = {
    "B-B": "urn:etsi:019102:validationprocess:Basic",
    "B-T": "urn:etsi:019102:validationprocess:LTVM",
    "B-LT": "urn:etsi:019102:validationprocess:LTVM",
    "B-LTA": "urn:etsi:019102:validationprocess:LTA",
}
CERTIFICATE = "urn:etsi:019102:validationObject:certificate"
SIGNED_DATA = "urn:etsi:019102:validationObject:signedData"

ET.register_namespace("", NS)
ET.register_namespace("ds", DS)


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _digest(parent: ET.Element, hex_value: str) -> None:
    holder = _el(parent, "DigestAlgAndValue")
    ET.SubElement(holder, f"{{{DS}}}DigestMethod", {"Algorithm": SHA256})
    value = ET.SubElement(holder, f"{{{DS}}}DigestValue")
    value.text = base64.b64encode(bytes.fromhex(hex_value)).decode()


def _time(value: str | None) -> str | None:
    """xsd:dateTime from our ISO strings (already with an offset)."""
    return value.replace("+00:00", "Z") if value else None


def report_xml(report: ValidationReport) -> bytes:
    root = ET.Element(f"{{{NS}}}ValidationReport")
    objects: dict[str, str] = {}  # certificate sha256 → object id

    def certificate_id(sha256: str) -> str:
        return objects.setdefault(sha256, f"cert-{len(objects) + 1}")

    for index, signature in enumerate(report.signatures, 1):
        svr = _el(root, "SignatureValidationReport")
        identifier = _el(svr, "SignatureIdentifier", id=f"sig-{index}")
        _el(identifier, "HashOnly", "false")
        _el(identifier, "DocHashOnly", "false")
        _el(identifier, "DAIdentifier", signature.field_name)
        times = _el(svr, "ValidationTimeInfo")
        _el(times, "ValidationTime", _time(report.validated_at))
        if signature.best_signature_time:
            best = _el(times, "BestSignatureTime")
            _el(best, "POETime", _time(signature.best_signature_time))
            _el(best, "TypeOfProof", "urn:etsi:019102:poetype:validation")
        if signature.claimed_signing_time:
            attributes = _el(svr, "SignatureAttributes")
            signing_time = _el(attributes, "SigningTime", Signed="true")
            _el(signing_time, "Time", _time(signature.claimed_signing_time))
        if signature.signer.sha256:
            signer = _el(svr, "SignerInformation")
            _el(signer, "SignerCertificate", VOReference=certificate_id(signature.signer.sha256))
            _el(signer, "Signer", signature.signer.subject)
        quality = _el(svr, "SignatureQuality")
        _el(
            quality,
            "SignatureQualityInformation",
            f"urn:congso:signing:level:PAdES-{signature.level}",
        )
        process = _el(svr, "SignatureValidationProcess")
        _el(
            process,
            "SignatureValidationProcessID",
            PROCESS.get(signature.level, PROCESS["B-B"]),
        )
        status = _el(svr, "SignatureValidationStatus")
        _el(status, "MainIndication", MAIN.get(signature.indication, MAIN[FAILED]))
        if signature.sub_indication:
            _el(
                status,
                "SubIndication",
                f"urn:etsi:019102:subindication:{signature.sub_indication}",
            )

    validation_objects = _el(root, "SignatureValidationObjects")
    document = _el(validation_objects, "ValidationObject", id="document")
    _el(document, "ObjectType", SIGNED_DATA)
    _digest(_el(document, "ValidationObjectRepresentation"), report.sha256)
    for sha256, object_id in objects.items():
        item = _el(validation_objects, "ValidationObject", id=object_id)
        _el(item, "ObjectType", CERTIFICATE)
        _digest(_el(item, "ValidationObjectRepresentation"), sha256)
    validator = _el(root, "SignatureValidator")
    digital_id = _el(validator, "DigitalId")
    name = ET.SubElement(digital_id, f"{{{DS}}}X509SubjectName")
    name.text = "CN=Công Sở signature validation"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
