"""Search without diacritics and by code, ranked, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from congso.accounts.models import User
from congso.catalog import services
from congso.catalog.models import Procedure
from congso.catalog.search import normalise, query_words, rank
from congso.catalog.selectors import procedure_list, search_procedures

NAMES = {
    "1.001193": "Thủ tục đăng ký khai sinh",
    "1.000656": "Thủ tục đăng ký khai tử",
    "1.005461": "Đăng ký lại khai tử",
    "2.000635": "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
    "1.004873": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
    "1.001612": "Đăng ký thành lập hộ kinh doanh",
    "2.000815": "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản",
    "1.001766": "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con",
}


@pytest.fixture
def catalogue(db: None) -> None:
    for code, name in NAMES.items():
        field = "Chứng thực" if "chứng thực" in name else "Hộ tịch"
        services.procedure_create(
            actor=None,
            code=code,
            name=name,
            field_name=field,
            levels=["commune"],
            applicant_types=["citizen"],
        )


def codes(procedures: list[Procedure]) -> list[str]:
    return [procedure.code for procedure in procedures]


def test_normalise_strips_diacritics_and_maps_d() -> None:
    assert normalise("Thủ tục ĐĂNG KÝ khai sinh") == "thu tuc dang ky khai sinh"
    assert normalise("Đường, Ngõ (số 01/2020)") == "duong ngo so 01 2020"
    assert normalise("  1.001193 ") == "1.001193"
    # Decomposed input (NFD, as some keyboards send it) gives the same text.
    assert normalise("Thu\u0309 tu\u0323c") == "thu tuc"


def test_rank_tiers() -> None:
    name = "Thủ tục đăng ký khai sinh"
    exact = rank(query="1.001193", code="1.001193", name=name)
    prefix = rank(query="dang ky khai", code="1.001193", name=name)
    phrase = rank(query="khai sinh", code="1.001193", name=name)
    together = rank(query="dang ky sinh khai", code="1.001193", name=name)
    every = rank(query="sinh khai", code="1.001193", name=name)
    assert exact and prefix and phrase and together and every
    assert exact > prefix > phrase > together > every
    # Every meaningful word is needed: one word missing is no match.
    assert rank(query="khai hon", code="1.001193", name=name) is None
    assert rank(query="ket hon", code="1.001193", name=name) is None


def test_query_words_drop_function_words() -> None:
    assert query_words("Thủ tục đăng ký kinh doanh của hộ gia đình") == [
        "dang", "ky", "kinh", "doanh", "ho", "gia", "dinh",
    ]  # fmt: skip
    assert query_words("làm sao để đăng ký khai sinh") == ["dang", "ky", "khai", "sinh"]
    assert query_words("thu tuc dang ky ket hon voi nguoi nuoc ngoai") == [
        "dang", "ky", "ket", "hon", "nguoi", "nuoc", "ngoai",
    ]  # fmt: skip
    # A bare word that may be a content word stays ("cua" may be "cửa"); only the accented
    # function word goes.
    assert query_words("mot cua") == ["mot", "cua"]
    assert query_words("bản sao của giấy khai sinh") == ["ban", "sao", "giay", "khai", "sinh"]
    # Nothing but function words: they count.
    assert query_words("thủ tục") == ["thu", "tuc"]


@pytest.mark.django_db
def test_without_diacritics_the_exact_procedure_comes_first(catalogue: None) -> None:
    found = codes(search_procedures("dang ky khai sinh"))
    assert found[0] == "1.001193"
    # The longer name with the same phrase comes next; names without every word never.
    assert found[1:] == ["1.001766"]
    assert codes(search_procedures("Đăng ký khai sinh")) == found
    assert codes(search_procedures("ĐĂNG KÝ KHAI SINH")) == found


@pytest.mark.django_db
def test_by_code(catalogue: None) -> None:
    assert codes(search_procedures("1.001193"))[0] == "1.001193"
    assert codes(search_procedures(" 1.001193 ")) == ["1.001193"]
    # A code prefix finds the codes that start with it.
    assert set(codes(search_procedures("1.0011"))) == {"1.001193"}


@pytest.mark.django_db
def test_every_word_is_needed(catalogue: None) -> None:
    # Only the names with every word: not every "đăng ký" of the catalogue.
    assert set(codes(search_procedures("khai tu dang ky"))) == {"1.000656", "1.005461"}
    assert codes(search_procedures("dang ky kinh doanh")) == ["1.001612"]
    assert codes(search_procedures("đăng ký kinh doanh của hộ gia đình")) == []
    assert codes(search_procedures("thủ tục đăng ký hộ kinh doanh")) == ["1.001612"]
    # The words side by side as typed first: "ban sao" then "giay khai sinh".
    found = codes(search_procedures("ban sao giay khai sinh"))
    assert found == ["2.000635"]


@pytest.mark.django_db
def test_a_warm_search_reads_the_token_and_the_rows_shown(
    catalogue: None, django_assert_num_queries: Any
) -> None:
    search_procedures("khai")  # fills the per-process index
    # The revision token, then the page's rows (with their field) by primary key.
    with django_assert_num_queries(2):
        assert codes(search_procedures("dang ky khai sinh"))[0] == "1.001193"
    with django_assert_num_queries(1):
        assert len(procedure_list(query="dang ky")) == 5


@pytest.mark.django_db
def test_the_index_follows_every_catalogue_write(catalogue: None) -> None:
    assert codes(search_procedures("doc than")) == []
    Procedure.objects.filter(code="1.004873").update(name="Xác nhận tình trạng độc thân")
    assert codes(search_procedures("doc than")) == ["1.004873"]
    Procedure.objects.filter(code="1.004873").delete()
    assert codes(search_procedures("doc than")) == []


@pytest.mark.django_db
def test_the_index_ranks_as_the_reference_ranking(catalogue: None) -> None:
    """Every query gives the procedures :func:`rank` accepts, in its order (then shorter names,
    then code) — the semantics of the former in-database filter and Python sort."""
    everything = list(Procedure.objects.all())
    for query in (
        "dang ky", "khai sinh", "Đăng ký khai sinh", "ban sao", "thu tuc", "thủ tục đăng ký",
        "1.001193", "1.00", "cap", "ho", "tu", "đăng ký kết hợp", "giay khai sinh ban sao",
    ):  # fmt: skip
        scored = [(rank(query=query, code=p.code, name=p.name), p) for p in everything]
        expected = [
            p.code
            for score, p in sorted(
                ((s, p) for s, p in scored if s is not None),
                key=lambda item: (
                    (-item[0].tier, -item[0].prefix, -item[0].together, -item[0].whole_words),
                    len(item[1].name),
                    item[1].code,
                ),
            )
        ]
        assert codes(procedure_list(query=query)) == expected, query


@pytest.mark.django_db
def test_limit_empty_query_and_no_match(catalogue: None) -> None:
    assert len(search_procedures("dang ky", limit=2)) == 2
    assert search_procedures("   ") == []
    assert search_procedures("phep xe may") == []


@pytest.mark.django_db
def test_inactive_procedures_only_for_managers(catalogue: None) -> None:
    procedure = Procedure.objects.get(code="1.005461")
    services.procedure_update(actor=None, procedure=procedure, active=False)
    assert "1.005461" not in codes(search_procedures("khai tu"))
    admin = User.objects.create_superuser(username="admin", password="x")
    assert "1.005461" in codes(search_procedures("khai tu", user=admin))


@pytest.mark.django_db
def test_renaming_updates_the_search_text(catalogue: None) -> None:
    procedure = Procedure.objects.get(code="1.004873")
    services.procedure_update(
        actor=None, procedure=procedure, name="Cấp Giấy xác nhận tình trạng độc thân"
    )
    assert codes(search_procedures("doc than"))[0] == "1.004873"
    assert Procedure.objects.get(code="1.004873").search_text.endswith("1.004873")


@pytest.mark.django_db
def test_list_filters_by_field_and_level(
    catalogue: None, make_version: Callable[..., object]
) -> None:
    assert codes(procedure_list(field="chung-thuc")) == ["2.000815"]
    assert codes(procedure_list(field="ho-tich", query="khai sinh"))[0] == "1.001193"
    make_version(code="9.000001", name="Thủ tục cấp tỉnh", levels=["province"])
    assert codes(procedure_list(level="province")) == ["9.000001"]
    assert len(procedure_list()) == len(NAMES) + 1
