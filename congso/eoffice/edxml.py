"""edXML packages of QCVN 102:2016/BTTTT (amended by TT 01/2022/TT-BTTTT): build, sign,
validate, verify and parse. Free of the database.

A document package::

    edXMLEnvelope
      edXMLHeader
        MessageHeader   From, To+, Code{CodeNumber, CodeNotation}, DocumentId, PromulgationInfo,
                        DocumentType, Subject, Content?, SteeringType, SignerInfo, DueDate?,
                        ToPlaces, OtherInfo, ResponseFor*
        TraceHeaderList TraceHeader+, Bussiness{BussinessDocType, BussinessDocReason?, …}
        ds:Signature    XML-DSig (enveloped, RSA-SHA256) of the sending agency
      edXMLBody
        edXMLManifest   Reference{ContentId, ContentType, AttachmentName, Description, Sha256}+
      AttachmentEncoded Attachment{ContentId, ContentTransferEncoded (base64)}+

A status package has ``Status{ResponseFor, From, StaffInfo, StatusCode, Description,
Timestamp}`` in place of ``MessageHeader`` and no body. The schema of what congso produces is
``schemas/edxml.xsd``; every package in and out is validated against it (the attachments
inside the envelope so that the signature covers them). Untrusted input is parsed with
defusedxml's rules (no DTD, no entities, no network)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as defused
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from lxml import etree
from signxml import InvalidInput, InvalidSignature, XMLSigner, XMLVerifier, methods
from signxml.exceptions import InvalidCertificate

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "edxml.xsd"
#: The subject alternative name that binds a seal certificate to an agency identifier.
SAN_PREFIX = "urn:qcvn102:"

#: BussinessDocType.
NEW, REVOKE, UPDATE, REPLACE = 0, 1, 2, 3
BUSINESS_TYPES = frozenset({NEW, REVOKE, UPDATE, REPLACE})

#: Status codes (QCVN 102 practice; see docs/eoffice.md).
ARRIVED, REFUSED, REGISTERED, ASSIGNED, PROCESSING, DONE = "01", "02", "03", "04", "05", "06"
RECALL_REQUESTED, RECALL_ACCEPTED, RECALL_REFUSED = "13", "15", "16"
STATUS_CODES = frozenset(
    {ARRIVED, REFUSED, REGISTERED, ASSIGNED, PROCESSING, DONE}
    | {RECALL_REQUESTED, RECALL_ACCEPTED, RECALL_REFUSED}
)
#: "Agree to update / recall" is 14 in one SDK sample, 15 in others: read 14 as 15.
STATUS_ALIASES = {"14": RECALL_ACCEPTED}


class PackageError(Exception):
    """A package that is not what QCVN 102 and our schema require; ``outcome`` says which check
    failed (``malformed`` or ``unsigned``)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


@dataclass(frozen=True)
class Organ:
    organ_id: str
    name: str
    in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""


@dataclass(frozen=True)
class Attachment:
    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ResponseFor:
    organ_id: str
    code: str
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class DocumentPackage:
    sender: Organ
    recipients: tuple[Organ, ...]
    code_number: str
    code_notation: str
    promulgation_place: str
    promulgation_date: date
    type_code: str
    type_name: str
    subject: str
    signer_competence: str
    signer_position: str
    signer_name: str
    attachments: tuple[Attachment, ...]
    timestamp: datetime
    content: str = ""
    steering_type: int = 0
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = 0
    confidentiality: int = 0
    page_amount: int | None = None
    response_for: tuple[ResponseFor, ...] = ()
    business_type: int = NEW
    business_reason: str = ""
    staff_name: str = ""
    staff_department: str = ""

    @property
    def document_id(self) -> str:
        return document_id(self.sender.organ_id, self.promulgation_date, self.code)

    @property
    def code(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True)
class StatusPackage:
    response_for: ResponseFor
    sender: Organ
    status_code: str
    description: str
    timestamp: datetime
    staff_name: str = ""
    staff_department: str = ""
    staff_email: str = ""


@dataclass
class Parsed:
    """A verified package: what it says, who signed it (the certificate's organ id)."""

    kind: str  # "edoc" or "status"
    document: DocumentPackage | None = None
    status: StatusPackage | None = None
    signer_organ_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def document_id(organ_id: str, day: date, code: str) -> str:
    """``<OrganId>,<yyyy/MM/dd>,<number/notation>`` (QCVN 102)."""
    return f"{organ_id},{day:%Y/%m/%d},{code}"


# --- Building -----------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _organ(parent: etree._Element, name: str, organ: Organ) -> None:
    node = _el(parent, name)
    _el(node, "OrganId", organ.organ_id)
    _el(node, "OrganizationInCharge", organ.in_charge or organ.name)
    _el(node, "OrganName", organ.name)
    for tag, value in (
        ("OrganAdd", organ.address),
        ("Email", organ.email),
        ("Telephone", organ.telephone),
    ):
        if value:
            _el(node, tag, value)


def _response_for(parent: etree._Element, item: ResponseFor) -> None:
    node = _el(parent, "ResponseFor")
    _el(node, "OrganId", item.organ_id)
    _el(node, "Code", item.code)
    _el(node, "PromulgationDate", item.promulgation_date.isoformat())
    _el(node, "DocumentId", item.document_id)


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("edXML timestamps must be aware")
    return value.isoformat(timespec="seconds")


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={"edXML": NS})
    return root, _el(root, "edXMLHeader")


def _signature_slot(header: etree._Element) -> None:
    """Where the sending agency's enveloped XML-DSig goes: signxml fills the empty
    ``<ds:Signature Id="placeholder"/>`` it is given (its documented way of placing an enveloped
    signature inside the header rather than at the end of the root)."""
    etree.SubElement(header, f"{{{DS}}}Signature", nsmap={"ds": DS}, Id="placeholder")


def build_document(package: DocumentPackage) -> etree._Element:
    if not package.attachments:
        raise ValueError("a document package carries at least its main file")
    root, header = _envelope()
    _message_header(header, package)
    _trace_headers(header, package)
    _signature_slot(header)
    _body(root, package)
    return root


def _message_header(header: etree._Element, package: DocumentPackage) -> None:
    message = _el(header, "MessageHeader")
    _organ(message, "From", package.sender)
    for recipient in package.recipients:
        _organ(message, "To", recipient)
    code = _el(message, "Code")
    _el(code, "CodeNumber", package.code_number)
    _el(code, "CodeNotation", package.code_notation)
    _el(message, "DocumentId", package.document_id)
    promulgation = _el(message, "PromulgationInfo")
    _el(promulgation, "Place", package.promulgation_place)
    _el(promulgation, "PromulgationDate", package.promulgation_date.isoformat())
    doc_type = _el(message, "DocumentType")
    _el(doc_type, "Type", package.type_code)
    _el(doc_type, "TypeName", package.type_name)
    _el(message, "Subject", package.subject)
    if package.content:
        _el(message, "Content", package.content)
    _el(message, "SteeringType", str(package.steering_type))
    signer = _el(message, "SignerInfo")
    if package.signer_competence:
        _el(signer, "Competence", package.signer_competence)
    _el(signer, "Position", package.signer_position)
    _el(signer, "FullName", package.signer_name)
    if package.due_date is not None:
        _el(message, "DueDate", package.due_date.isoformat())
    places = _el(message, "ToPlaces")
    for place in package.to_places:
        _el(places, "Place", place)
    other = _el(message, "OtherInfo")
    _el(other, "Priority", str(package.priority))
    _el(other, "SecurityLevel", str(package.confidentiality))
    if package.page_amount is not None:
        _el(other, "PageAmount", str(package.page_amount))
    _el(other, "Appendixes", str(max(len(package.attachments) - 1, 0)))
    for item in package.response_for:
        _response_for(message, item)


def _trace_headers(header: etree._Element, package: DocumentPackage) -> None:
    traces = _el(header, "TraceHeaderList")
    trace = _el(traces, "TraceHeader")
    _el(trace, "OrganId", package.sender.organ_id)
    _el(trace, "Timestamp", _timestamp(package.timestamp))
    business = _el(traces, "Bussiness")
    _el(business, "BussinessDocType", str(package.business_type))
    if package.business_reason:
        _el(business, "BussinessDocReason", package.business_reason)
    if package.staff_name:
        staff = _el(business, "StaffInfo")
        if package.staff_department:
            _el(staff, "Department", package.staff_department)
        _el(staff, "Staff", package.staff_name)


def _body(root: etree._Element, package: DocumentPackage) -> None:
    body = _el(root, "edXMLBody")
    manifest = _el(body, "edXMLManifest")
    for attachment in package.attachments:
        reference = _el(manifest, "Reference")
        _el(reference, "ContentId", attachment.content_id)
        _el(reference, "ContentType", attachment.content_type)
        _el(reference, "AttachmentName", attachment.name)
        if attachment.description:
            _el(reference, "Description", attachment.description)
        _el(reference, "Sha256", attachment.sha256)
    encoded = _el(root, "AttachmentEncoded")
    for attachment in package.attachments:
        node = _el(encoded, "Attachment")
        _el(node, "ContentId", attachment.content_id)
        _el(node, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))


def build_status(package: StatusPackage) -> etree._Element:
    root, header = _envelope()
    status = _el(header, "Status")
    _response_for(status, package.response_for)
    _organ(status, "From", package.sender)
    staff = _el(status, "StaffInfo")
    if package.staff_department:
        _el(staff, "Department", package.staff_department)
    _el(staff, "Staff", package.staff_name or package.sender.name)
    if package.staff_email:
        _el(staff, "Email", package.staff_email)
    _el(status, "StatusCode", package.status_code)
    _el(status, "Description", package.description)
    _el(status, "Timestamp", _timestamp(package.timestamp))
    _signature_slot(header)
    return root


# --- Signing, validation, verification ----------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    """The sending agency's signing key and certificate chain (leaf first)."""

    key: RSAPrivateKey
    chain: tuple[x509.Certificate, ...]


def sign(root: etree._Element, seal: Seal) -> bytes:
    """The signed package (UTF-8 XML), checked against the schema before it leaves."""
    signer = XMLSigner(
        method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256"
    )
    signed = signer.sign(root, key=seal.key, cert=list(seal.chain))
    data: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    validate(data)
    return data


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


#: No DTD, no entities, no network, no huge trees.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(data: bytes) -> etree._Element:
    """defusedxml screens the bytes first (a DTD, entity declarations, external references are
    refused outright), then lxml parses them with a hardened parser."""
    try:
        defused.fromstring(data, forbid_dtd=True)
        root = etree.fromstring(data, _PARSER)
    except Exception as exc:  # the parsers raise several kinds
        raise PackageError("malformed", f"Gói tin không phải XML hợp lệ: {exc}") from None
    return root


def validate(data: bytes) -> etree._Element:
    """Parse ``data`` safely and check it against ``schemas/edxml.xsd``."""
    root = _parse(data)
    schema = _schema()
    if not schema.validate(root):
        first = schema.error_log.filter_from_errors()[0] if schema.error_log else None
        where = f" (dòng {first.line}: {first.message})" if first is not None else ""
        raise PackageError("malformed", f"Gói tin không đúng cấu trúc edXML{where}.")
    return root


def _signing_certificate(signature: etree._Element) -> x509.Certificate:
    node = signature.find(f".//{{{DS}}}X509Certificate")
    if node is None or not (node.text or "").strip():
        raise PackageError("unsigned", "Chữ ký số không kèm chứng thư số.")
    return x509.load_der_x509_certificate(base64.b64decode("".join(node.text.split())))


def certificate_organ_ids(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {
        uri[len(SAN_PREFIX) :]
        for uri in san.get_values_for_type(x509.UniformResourceIdentifier)
        if uri.startswith(SAN_PREFIX)
    }


def verify(data: bytes, *, ca_pem_file: str) -> tuple[etree._Element, str]:
    """Validate, then verify the XML-DSig against the trust anchors in ``ca_pem_file``.
    Returns the signed tree and the organ ids the signing certificate is issued for."""
    root = validate(data)
    signature = root.find(f"{_q('edXMLHeader')}/{{{DS}}}Signature")
    if signature is None:
        raise PackageError("unsigned", "Gói tin không có chữ ký số của cơ quan gửi.")
    try:
        verified = XMLVerifier().verify(data, ca_pem_file=ca_pem_file, expect_references=1)
    except (InvalidSignature, InvalidCertificate, InvalidInput) as exc:
        raise PackageError("unsigned", f"Chữ ký số của gói tin không hợp lệ: {exc}") from None
    result = verified[0] if isinstance(verified, list) else verified
    if result.signed_xml is None or result.signed_xml.tag != _q("edXMLEnvelope"):
        raise PackageError("unsigned", "Chữ ký số không bao trùm toàn bộ gói tin.")
    organ_ids = certificate_organ_ids(_signing_certificate(signature))
    return result.signed_xml, ",".join(sorted(organ_ids))


# --- Parsing ------------------------------------------------------------------------------------


def _text(node: etree._Element | None, path: str, *, required: bool = True) -> str:
    found = (
        None if node is None else node.find("edXML:" + path.replace("/", "/edXML:"), {"edXML": NS})
    )
    value = (found.text or "").strip() if found is not None else ""
    if required and not value:
        raise PackageError("malformed", f"Gói tin thiếu trường {path}.")
    return value


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise PackageError("malformed", f"Trường {what} không phải ngày hợp lệ.") from None


def _datetime(value: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PackageError("malformed", f"Trường {what} không phải thời điểm hợp lệ.") from None
    if parsed.tzinfo is None:
        raise PackageError("malformed", f"Trường {what} thiếu múi giờ.")
    return parsed


def _read_organ(node: etree._Element) -> Organ:
    return Organ(
        organ_id=_text(node, "OrganId"),
        name=_text(node, "OrganName"),
        in_charge=_text(node, "OrganizationInCharge", required=False),
        address=_text(node, "OrganAdd", required=False),
        email=_text(node, "Email", required=False),
        telephone=_text(node, "Telephone", required=False),
    )


def _read_response_for(node: etree._Element) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(node, "OrganId"),
        code=_text(node, "Code"),
        promulgation_date=_date(_text(node, "PromulgationDate"), "PromulgationDate"),
        document_id=_text(node, "DocumentId"),
    )


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return list(node.iterfind(f"edXML:{name}", {"edXML": NS}))


def parse(root: etree._Element) -> Parsed:
    """What a validated, verified package says."""
    header = root.find(_q("edXMLHeader"))
    assert header is not None  # the schema requires it
    status = header.find(_q("Status"))
    if status is not None:
        code = _text(status, "StatusCode")
        code = STATUS_ALIASES.get(code, code)
        if code not in STATUS_CODES:
            raise PackageError("malformed", f"Mã trạng thái {code} không được hỗ trợ.")
        (response_node,) = _children(status, "ResponseFor")
        (from_node,) = _children(status, "From")
        staff = status.find(_q("StaffInfo"))
        return Parsed(
            kind="status",
            status=StatusPackage(
                response_for=_read_response_for(response_node),
                sender=_read_organ(from_node),
                status_code=code,
                description=_text(status, "Description", required=code == REFUSED),
                timestamp=_datetime(_text(status, "Timestamp"), "Timestamp"),
                staff_name=_text(staff, "Staff", required=False),
                staff_department=_text(staff, "Department", required=False),
                staff_email=_text(staff, "Email", required=False),
            ),
        )
    message = header.find(_q("MessageHeader"))
    assert message is not None
    manifest = {
        _text(ref, "ContentId"): ref
        for ref in root.iterfind(
            "edXML:edXMLBody/edXML:edXMLManifest/edXML:Reference", {"edXML": NS}
        )
    }
    attachments = []
    for node in root.iterfind("edXML:AttachmentEncoded/edXML:Attachment", {"edXML": NS}):
        content_id = _text(node, "ContentId")
        reference = manifest.get(content_id)
        if reference is None:
            raise PackageError("malformed", f"Tệp {content_id} không có trong danh mục.")
        try:
            data = base64.b64decode(_text(node, "ContentTransferEncoded"), validate=True)
        except ValueError:
            raise PackageError("malformed", f"Tệp {content_id} không phải base64.") from None
        attachment = Attachment(
            content_id=content_id,
            name=_text(reference, "AttachmentName"),
            content_type=_text(reference, "ContentType"),
            description=_text(reference, "Description", required=False),
            data=data,
        )
        if attachment.sha256 != _text(reference, "Sha256"):
            raise PackageError("malformed", f"Tệp {content_id} không khớp mã băm trong danh mục.")
        attachments.append(attachment)
    if not attachments or len(attachments) != len(manifest):
        raise PackageError("malformed", "Danh mục tệp và tệp đính kèm không khớp nhau.")
    traces = header.find(_q("TraceHeaderList"))
    business = traces.find(_q("Bussiness")) if traces is not None else None
    business_type = int(_text(business, "BussinessDocType"))
    if business_type not in BUSINESS_TYPES:
        raise PackageError("malformed", f"Loại nghiệp vụ {business_type} không được hỗ trợ.")
    trace_times = (
        [_text(t, "Timestamp") for t in _children(traces, "TraceHeader")]
        if traces is not None
        else []
    )
    staff = business.find(_q("StaffInfo")) if business is not None else None
    page = _text(message, "OtherInfo/PageAmount", required=False)
    due = _text(message, "DueDate", required=False)
    package = DocumentPackage(
        sender=_read_organ(_children(message, "From")[0]),
        recipients=tuple(_read_organ(node) for node in _children(message, "To")),
        code_number=_text(message, "Code/CodeNumber"),
        code_notation=_text(message, "Code/CodeNotation"),
        promulgation_place=_text(message, "PromulgationInfo/Place"),
        promulgation_date=_date(
            _text(message, "PromulgationInfo/PromulgationDate"), "PromulgationDate"
        ),
        type_code=_text(message, "DocumentType/Type"),
        type_name=_text(message, "DocumentType/TypeName"),
        subject=_text(message, "Subject"),
        content=_text(message, "Content", required=False),
        steering_type=int(_text(message, "SteeringType")),
        signer_competence=_text(message, "SignerInfo/Competence", required=False),
        signer_position=_text(message, "SignerInfo/Position"),
        signer_name=_text(message, "SignerInfo/FullName"),
        due_date=_date(due, "DueDate") if due else None,
        to_places=tuple(
            (node.text or "").strip()
            for node in message.iterfind("edXML:ToPlaces/edXML:Place", {"edXML": NS})
        ),
        priority=int(_text(message, "OtherInfo/Priority")),
        confidentiality=int(_text(message, "OtherInfo/SecurityLevel")),
        page_amount=int(page) if page else None,
        response_for=tuple(_read_response_for(node) for node in _children(message, "ResponseFor")),
        attachments=tuple(attachments),
        timestamp=_datetime(trace_times[-1], "Timestamp"),
        business_type=business_type,
        business_reason=_text(business, "BussinessDocReason", required=False),
        staff_name=_text(staff, "Staff", required=False),
        staff_department=_text(staff, "Department", required=False),
    )
    declared = _text(message, "DocumentId")
    if declared != package.document_id:
        raise PackageError(
            "malformed", f"DocumentId {declared} không khớp nơi gửi, ngày và số ký hiệu."
        )
    return Parsed(kind="edoc", document=package)


def read(data: bytes, *, ca_pem_file: str) -> Parsed:
    """Validate, verify and parse an incoming package; :class:`PackageError` when any fails."""
    root, organ_ids = verify(data, ca_pem_file=ca_pem_file)
    parsed = parse(root)
    sender = (
        parsed.document.sender.organ_id if parsed.document else parsed.status.sender.organ_id  # type: ignore[union-attr]
    )
    if sender not in organ_ids.split(","):
        raise PackageError(
            "unsigned", f"Chứng thư số ký gói tin không cấp cho cơ quan gửi {sender}."
        )
    parsed.signer_organ_id = sender
    return parsed
