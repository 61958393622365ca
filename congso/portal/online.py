"""What a citizen can do online for a procedure, in plain words (the procedure page and the
search rows): the level the catalogue states (toàn trình / một phần, ND 224/2026 art. 14), what
is done on the portal and what still needs a visit, read from the catalogue itself — the
online form and its file slots, the components shown at the desk (``offline`` "show"), the
public reason for a partial service (``partial_reason``) and whether the result comes as a
signed e-result (a result template exists)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_lazy

from congso.catalog.formschema import file_components, offline_components
from congso.catalog.models import OnlineLevel, ProcedureVersion
from congso.catalog.selectors import OnlineOffer

#: The short words of a search row, by (online possible, level).
ROW_LABELS = {
    OnlineLevel.FULL.value: gettext_lazy("Nộp trực tuyến toàn trình"),
    OnlineLevel.PARTIAL.value: gettext_lazy("Nộp trực tuyến một phần"),
    "": gettext_lazy("Nộp trực tuyến"),
}
NOT_ONLINE = gettext_lazy("Nộp trực tiếp hoặc qua bưu chính")


def row_label(offer: OnlineOffer | None) -> str:
    if offer is None or not offer.online:
        return str(NOT_ONLINE)
    return str(ROW_LABELS.get(offer.level, ROW_LABELS[""]))


@dataclass
class OnlineService:
    """The procedure page's box: ``available`` (can apply online at all), ``level`` (the
    catalogue's ``OnlineLevel`` value or empty), ``summary`` (one sentence), ``online`` (what is
    done on the portal) and ``in_person`` (what is not)."""

    available: bool
    level: str = ""
    summary: str = ""
    online: list[str] = field(default_factory=list)
    in_person: list[str] = field(default_factory=list)


def online_service(version: ProcedureVersion, *, e_result: bool) -> OnlineService:
    """``e_result``: the result is issued as a signed electronic document in the citizen's
    account (the procedure has a result template)."""
    schema = version.form_schema or {}
    available = "online" in (version.submission_channels or []) and bool(schema)
    if not available:
        return OnlineService(available=False)
    level = version.online_level or ""
    uploads = bool(file_components(schema))
    online = [
        gettext("Khai tờ khai điện tử và tải lên bản chụp, bản scan giấy tờ ngay trên cổng.")
        if uploads
        else gettext("Khai tờ khai điện tử ngay trên cổng; không phải tải lên giấy tờ."),
        gettext(
            "Theo dõi hồ sơ, nhận thông báo qua tin nhắn hoặc thư điện tử và bổ sung hồ sơ "
            "(nếu được yêu cầu) trực tuyến."
        ),
    ]
    if e_result:
        online.append(
            gettext(
                "Nhận kết quả điện tử có chữ ký số trong tài khoản; kết quả điện tử có giá trị "
                "như bản giấy."
            )
        )
    in_person: list[str] = []
    if version.partial_reason.strip() and level != OnlineLevel.FULL:
        in_person.append(version.partial_reason.strip())
    if not e_result:
        in_person.append(
            gettext("Nhận kết quả bản giấy tại Bộ phận Một cửa của cơ quan giải quyết.")
        )
    offline = offline_components(schema)
    shown = [c.name for c in version.components.order_by("order") if offline.get(c.code) == "show"]
    for name in shown:
        in_person.append(
            gettext(
                "Nếu đến Bộ phận Một cửa (để nhận kết quả bản giấy), mang theo bản chính để "
                "xuất trình: %(name)s."
            )
            % {"name": name}
        )
    if level == OnlineLevel.FULL:
        summary = gettext(
            "toàn trình — mọi bước, từ nộp hồ sơ đến nhận kết quả, đều làm trực tuyến."
        )
    elif level == OnlineLevel.PARTIAL:
        summary = gettext(
            "một phần — nộp hồ sơ trực tuyến được, nhưng còn việc phải làm trực tiếp."
        )
    else:
        summary = gettext("được.")
    return OnlineService(
        available=True, level=level, summary=summary, online=online, in_person=in_person
    )
