"""The finder in the catalogue search (issue 21): a citizen's own words through the API and the
portal, why each result matched, the search log and the phrasings officers approve from it,
the life-event navigator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.catalog import life_events, services
from congso.catalog.finder import Document, Finder, Phrasing, segmenter, syllables
from congso.catalog.models import Phrasing as PhrasingRow
from congso.catalog.models import SearchLog

pytestmark = pytest.mark.django_db

NAMES = {
    "1.001193": ("Thủ tục đăng ký khai sinh", "Hộ tịch"),
    "1.000656": ("Thủ tục đăng ký khai tử", "Hộ tịch"),
    "1.000894": ("Thủ tục đăng ký kết hôn", "Hộ tịch"),
    "1.001612": ("Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động doanh nghiệp"),
    "1.009122": (
        "Cấp giấy phép xây dựng có thời hạn đối với công trình, nhà ở riêng lẻ",
        "Hoạt động xây dựng",
    ),
    "1.003197": ("Xóa đăng ký thường trú", "Đăng ký, quản lý cư trú"),
}


@pytest.fixture
def catalogue(db: None, make_version: Callable[..., object]) -> None:
    for code, (name, field) in NAMES.items():
        make_version(code=code, name=name, field={"name": field, "code": ""})


@pytest.fixture(autouse=True)
def _segmenter() -> None:
    segmenter.start(wait=True)  # as in a warm server: pyvi imported


def api(query: str) -> list[dict[str, Any]]:
    body = Client().get("/api/v1/procedures", {"q": query}).json()
    return list(body["items"])


def test_syllables_fold_diacritics_and_the_final_y() -> None:
    assert syllables("Đăng kí KẾT HÔN") == syllables("dang ky ket hon") == [
        "dang", "ki", "ket", "hon",
    ]  # fmt: skip


def test_a_phrase_of_one_word_needs_its_diacritics() -> None:
    documents = [Document("1", "Đăng ký khai sinh"), Document("2", "Cấp giấy đề nghị")]
    finder = Finder(documents, [Phrasing(phrase="đẻ", means="khai sinh")])
    assert finder.prepare("vợ tôi mới đẻ").phrasings
    assert not finder.prepare("de nghi").phrasings  # "de" is "đề", "để" as often as "đẻ"


def test_a_citizens_words_find_birth_registration_not_a_building_permit(
    catalogue: None,
) -> None:
    items = api("vợ tôi mới sinh em bé thì phải làm giấy tờ gì")
    assert items[0]["code"] == "1.001193"
    assert "1.009122" not in [item["code"] for item in items[:1]]
    assert "«sinh em bé» được hiểu là «đăng ký khai sinh»" in items[0]["matched"]
    # Without diacritics, with a typo, in everyday words.
    assert api("bo toi mat can lam gi")[0]["code"] == "1.000656"
    assert api("dang ki ket hôn")[0]["code"] == "1.000894"
    assert api("mo quan ca phe")[0]["code"] == "1.001612"
    typo = api("dang ky khai sinnh")[0]
    assert typo["code"] == "1.001193" and "đã đọc «sinnh» là «sinh»" in typo["matched"]
    # The strict search keeps its place: every word typed comes first, the code is exact.
    assert api("1.001193")[0]["matched"] == "Đúng mã thủ tục."
    assert [item["code"] for item in api("1.001193")] == ["1.001193"]


def test_filters_still_apply_to_the_finders_answers(catalogue: None) -> None:
    body = (
        Client()
        .get("/api/v1/procedures", {"q": "vợ tôi mới sinh em bé", "field": "hoat-dong-xay-dung"})
        .json()
    )
    assert all(item["field"]["code"] == "hoat-dong-xay-dung" for item in body["items"])


def test_the_search_log_and_a_phrasing_approved_from_it(catalogue: None) -> None:
    query = "giấy chào đời cho con"
    html = Client().get("/thu-tuc/", {"q": query}).content.decode()
    log = SearchLog.objects.get(normalised="giay chao doi cho con")
    assert log.searches == 1 and log.clicks == 0 and log.query == query
    Client().get("/thu-tuc/", {"q": "Giấy chào đời cho con"})
    log.refresh_from_db()
    assert log.searches == 2
    # The live search box (each keystroke) is not logged.
    Client().get("/thu-tuc/", {"q": "giấy chào"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="q")
    assert not SearchLog.objects.filter(normalised="giay chao").exists()
    # An officer reads the searches nobody opened a result of and says what it meant.
    officer = User.objects.create_superuser(username="canbo", password="x")
    phrasing = services.phrasing_from_search(actor=officer, log=log, means="đăng ký khai sinh")
    assert phrasing.source == "search_log" and phrasing.phrase == query
    assert AuditEvent.objects.filter(action="catalog.phrasing.create").exists()
    log.refresh_from_db()
    assert log.phrasing == phrasing
    # Every process's finder is rebuilt (the catalogue's revision token changed).
    html = Client().get("/thu-tuc/", {"q": "giay chao doi cho con"}).content.decode()
    first = html.index('href="/thu-tuc/1.')
    assert html[first:].startswith('href="/thu-tuc/1.001193/?tim=')
    assert "được hiểu là «đăng ký khai sinh»" in html
    Client().get(html[first + 6 : html.index('"', first + 6)])
    log.refresh_from_db()
    assert log.clicks == 1 and log.clicked_code == "1.001193"


def test_a_phrasing_needs_a_meaning_and_known_codes(catalogue: None) -> None:
    with pytest.raises(Exception, match="từ ngữ trong danh mục"):
        services.phrasing_save(actor=None, phrase="chào đời")
    with pytest.raises(Exception, match="9.999999"):
        services.phrasing_save(actor=None, phrase="chào đời", codes=["9.999999"])
    saved = services.phrasing_save(actor=None, phrase="chào  đời", codes=["1.001193"])
    assert saved.phrase == "chào đời" and saved.codes == ["1.001193"]
    assert api("con tôi chào đời")[0]["code"] == "1.001193"


def test_the_seed_phrasings_are_loaded_by_the_migration() -> None:
    assert PhrasingRow.objects.filter(phrase="sinh em bé", source="seed").exists()
    assert PhrasingRow.objects.count() > 100


def test_officers_pages_for_phrasings_and_the_search_log(catalogue: None, settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    Client().get("/thu-tuc/", {"q": "giấy chào đời"})
    log = SearchLog.objects.get()
    client = Client()
    client.force_login(User.objects.create_superuser(username="admin", password="x"))
    assert client.get("/quan-tri/catalog/phrasing/").status_code == 200
    page = client.get("/quan-tri/catalog/searchlog/", {"mo": "khong"})
    assert page.status_code == 200 and "giấy chào đời" in page.content.decode()
    url = f"/quan-tri/catalog/searchlog/{log.pk}/change/"
    refused = client.post(url, {"means": "", "codes": "9.999999"})
    assert "Không có thủ tục mã" in refused.content.decode()
    done = client.post(url, {"means": "đăng ký khai sinh", "codes": ""})
    assert done.status_code == 302
    assert PhrasingRow.objects.get(phrase="giấy chào đời").means == "đăng ký khai sinh"
    # Anonymous visitors and citizens never see the log.
    assert Client().get("/quan-tri/catalog/searchlog/").status_code == 302


def test_the_life_event_navigator(catalogue: None) -> None:
    html = Client().get("/thu-tuc/").content.decode()
    for title in ("Có con", "Kết hôn", "Mở cửa hàng", "Người thân mất", "Xây nhà"):
        assert title in html
    page = Client().get("/su-kien/nguoi-than-mat/").content.decode()
    assert 'href="/thu-tuc/1.000656/"' in page and 'href="/thu-tuc/1.003197/"' in page
    assert page.index("1.000656") < page.index("1.003197")
    assert Client().get("/su-kien/khong-co/").status_code == 404

    def groups(event: life_events.LifeEvent) -> list[life_events.Link]:
        if event.slug == "co-con":
            return [life_events.Link("Khai sinh, thường trú, thẻ BHYT một lần", "/nhom/khai-sinh/")]
        return []

    life_events.register_links(groups)
    try:
        page = Client().get("/su-kien/co-con/").content.decode()
        assert 'href="/nhom/khai-sinh/"' in page and 'href="/thu-tuc/1.001193/"' in page
    finally:
        life_events._providers.remove(groups)


@pytest.mark.django_db
def test_the_demo_puts_back_seed_phrasings_a_flushed_database_lost() -> None:
    from congso.catalog.demo import seed_phrasings

    seeded = PhrasingRow.objects.count()
    assert seeded > 100  # the migration's
    kept = PhrasingRow.objects.first()
    assert kept is not None
    kept.means = "đăng ký khai sinh (sửa bởi cán bộ)"
    kept.save()
    PhrasingRow.objects.exclude(pk=kept.pk).delete()
    assert seed_phrasings() == seeded - 1
    assert PhrasingRow.objects.count() == seeded
    kept.refresh_from_db()
    assert kept.means == "đăng ký khai sinh (sửa bởi cán bộ)"  # an officer's edit is kept
    assert seed_phrasings() == 0
