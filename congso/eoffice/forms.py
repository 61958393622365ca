"""Forms of the e-office pages. They only parse; the services decide (a service's
:class:`DomainError` is shown next to the field it names, or above the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.core.errors import DomainError, localise
from congso.eoffice import labels, services
from congso.eoffice.models import Channel

#: Error fields of the services → form fields.
FIELD_MAP = {"doc_type": "doc_type", "signer": "signer", "recipients": "recipients", "text": "text"}


class DomainForm(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        name = FIELD_MAP.get(exc.field or "", exc.field)
        self.add_error(name if name in self.fields else None, localise(exc.message))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class DraftForm(DomainForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan ban hành"), coerce=int)
    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    subject = forms.CharField(
        label=_("Trích yếu"), max_length=1000, widget=forms.Textarea({"rows": 2})
    )
    content = forms.CharField(
        label=_("Nội dung tóm tắt"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    notation_suffix = forms.CharField(
        label=_("Ký hiệu cơ quan, đơn vị soạn thảo"),
        max_length=40,
        required=False,
        help_text=_("Ví dụ UBND-VP cho công văn; để trống: tên viết tắt của cơ quan."),
    )
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    signer = forms.TypedChoiceField(label=_("Người ký"), coerce=int)
    signer_competence = forms.ChoiceField(
        label=_("Thẩm quyền ký"), choices=labels.choices("competence"), required=False
    )
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=200)
    recipients = forms.MultipleChoiceField(
        label=_("Nơi nhận qua trục liên thông"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    paper = forms.CharField(
        label=_("Nơi nhận gửi bản giấy (mỗi dòng một nơi)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
    )
    to_places = forms.CharField(
        label=_("Nơi nhận ghi trên văn bản (mỗi dòng một nơi)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=labels.choices("urgency"), coerce=int
    )
    confidentiality = forms.TypedChoiceField(
        label=_("Độ mật"), choices=labels.choices("confidentiality"), coerce=int
    )
    reply_due = forms.DateField(
        label=_("Hạn trả lời"), required=False, widget=forms.DateInput({"type": "date"})
    )
    page_count = forms.IntegerField(label=_("Số trang"), min_value=1, required=False)
    main = forms.FileField(label=_("Văn bản chính (PDF)"))
    attachments = MultipleFileField(label=_("Phụ lục, tài liệu kèm theo"), required=False)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        agencies: list[Any],
        doc_types: list[Any],
        signers: list[tuple[int, str]],
        directory: list[tuple[str, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self._set("agency", [(a.pk, a.name) for a in agencies])
        self._set("doc_type", [(t.code, labels.doc_type(t)) for t in doc_types])
        self._set("signer", signers)
        self._set("recipients", directory)

    def _set(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def paper_recipients(self) -> list[str]:
        return _lines(self.cleaned_data["paper"])

    def places(self) -> list[str]:
        return _lines(self.cleaned_data["to_places"])

    def draft_fields(self) -> dict[str, Any]:
        """The valid form as ``services.draft_create`` (and ``dossier_draft_create``) take it:
        the chosen agencies and the paper recipients, the files read."""
        data = self.cleaned_data
        names = dict(self.fields["recipients"].choices)  # type: ignore[attr-defined]
        recipients = [
            services.Recipient(name=str(names[code]).rsplit(" (", 1)[0], code=code)
            for code in data["recipients"]
        ] + [
            services.Recipient(name=name, channel=Channel.PAPER) for name in self.paper_recipients()
        ]
        return {
            "agency_id": data["agency"],
            "doc_type_code": data["doc_type"],
            "subject": data["subject"],
            "content": data["content"],
            "notation_suffix": data["notation_suffix"],
            "place": data["place"],
            "main": services.Upload(data["main"].name, data["main"].read()),
            "attachments": [services.Upload(f.name, f.read()) for f in data["attachments"]],
            "signer_id": data["signer"],
            "signer_position": data["signer_position"],
            "signer_competence": data["signer_competence"],
            "recipients": recipients,
            "to_places": self.places(),
            "urgency": data["urgency"],
            "confidentiality": data["confidentiality"],
            "reply_due": data["reply_due"],
            "page_count": data["page_count"],
        }


class ActionForm(DomainForm):
    """Every action of a document page; each action reads the fields it needs."""

    comment = forms.CharField(
        label=_("Ý kiến"), max_length=5000, required=False, widget=forms.Textarea({"rows": 2})
    )
    reason = forms.CharField(
        label=_("Lý do"), max_length=1000, required=False, widget=forms.Textarea({"rows": 2})
    )
    text = forms.CharField(
        label=_("Ý kiến xử lý"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    reviewers = forms.TypedMultipleChoiceField(
        label=_("Người duyệt (theo thứ tự)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lead = forms.TypedChoiceField(label=_("Chủ trì xử lý"), coerce=int, required=False)
    co = forms.TypedMultipleChoiceField(
        label=_("Phối hợp"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    info = forms.TypedMultipleChoiceField(
        label=_("Để biết"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    working_days = forms.IntegerField(
        label=_("Hạn xử lý (ngày làm việc)"), min_value=1, max_value=90, required=False
    )
    reply = forms.TypedChoiceField(label=_("Văn bản trả lời"), coerce=int, required=False)
    update = forms.IntegerField(required=False, widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", required=False
    )

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]] = (),  # type: ignore[assignment]
        replies: list[tuple[int, str]] = (),  # type: ignore[assignment]
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        for name in ("reviewers", "co", "info"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = list(people)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = [("", _("— Chọn cán bộ —")), *people]
        reply = self.fields["reply"]
        assert isinstance(reply, forms.ChoiceField)
        reply.choices = [("", _("— Chỉ để biết, không trả lời —")), *replies]


class IncomingForm(DomainForm):
    """A document that came on paper (scanned) or by e-mail, entered by the clerk: the metadata
    as printed on it and its PDF; it then waits for registration like one from the axis."""

    agency = forms.TypedChoiceField(label=_("Cơ quan nhận"), coerce=int)
    received_by = forms.ChoiceField(
        label=_("Nhận qua"),
        choices=[(Channel.PAPER, _("Bản giấy (đã quét)")), (Channel.EMAIL, _("Thư điện tử"))],
        widget=forms.RadioSelect,
        initial=Channel.PAPER,
    )
    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    issuer_name = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    issuer_code = forms.CharField(
        label=_("Mã định danh cơ quan ban hành"),
        max_length=13,
        required=False,
        help_text=_("Mã theo QCVN 102, dạng 000.00.00.H51; để trống nếu không biết."),
    )
    code_number = forms.CharField(label=_("Số"), max_length=20)
    code_notation = forms.CharField(
        label=_("Ký hiệu"), max_length=60, help_text=_("Phần sau dấu «/», ví dụ QĐ-BNV.")
    )
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=forms.DateInput({"type": "date"}))
    subject = forms.CharField(
        label=_("Trích yếu"), max_length=1000, widget=forms.Textarea({"rows": 2})
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=200, required=False)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=200, required=False)
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=labels.choices("urgency"), coerce=int
    )
    confidentiality = forms.TypedChoiceField(
        label=_("Độ mật"), choices=labels.choices("confidentiality"), coerce=int
    )
    reply_due = forms.DateField(
        label=_("Hạn trả lời"), required=False, widget=forms.DateInput({"type": "date"})
    )
    page_count = forms.IntegerField(label=_("Số trang"), min_value=1, required=False)
    main = forms.FileField(label=_("Bản quét hoặc tệp đính kèm thư (PDF)"))
    attachments = MultipleFileField(label=_("Phụ lục, tài liệu kèm theo"), required=False)

    def __init__(self, *args: Any, agencies: list[Any], doc_types: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        for name, values in (
            ("agency", [(a.pk, a.name) for a in agencies]),
            ("doc_type", [(t.code, labels.doc_type(t)) for t in doc_types]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values

    def clean_code_notation(self) -> str:
        notation = str(self.cleaned_data["code_notation"]).strip()
        return notation.split("/", 1)[1].strip() if notation.count("/") == 1 else notation


class UpdateForm(DomainForm):
    """The issuer's correction of an issued document (its metadata; the signed files stay):
    only what changed is sent, as an update package, with the reason."""

    subject = forms.CharField(
        label=_("Trích yếu"), max_length=1000, widget=forms.Textarea({"rows": 2})
    )
    content = forms.CharField(
        label=_("Nội dung tóm tắt"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    to_places = forms.CharField(
        label=_("Nơi nhận ghi trên văn bản (mỗi dòng một nơi)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )
    reply_due = forms.DateField(
        label=_("Hạn trả lời"), required=False, widget=forms.DateInput({"type": "date"})
    )
    page_count = forms.IntegerField(label=_("Số trang"), min_value=1, required=False)
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=labels.choices("urgency"), coerce=int
    )
    reason = forms.CharField(
        label=_("Lý do cập nhật, đính chính"),
        max_length=1000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Gửi kèm gói cập nhật đến từng nơi nhận."),
    )

    FIELDS = ("subject", "content", "to_places", "reply_due", "page_count", "urgency")

    @staticmethod
    def initial_for(document: Any) -> dict[str, Any]:
        initial = {name: getattr(document, name) for name in UpdateForm.FIELDS}
        initial["to_places"] = "\n".join(document.to_places or [])
        return initial

    def changes(self, document: Any) -> dict[str, Any]:
        """The fields whose value differs from the document's."""
        data = dict(self.cleaned_data)
        data["to_places"] = _lines(data["to_places"])
        data["subject"] = data["subject"].strip()
        data["content"] = data["content"].strip()
        return {name: data[name] for name in self.FIELDS if data[name] != getattr(document, name)}
