"""The public catalog API: search with filters, facets and pages; one program; problems."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.catalog_programs import CATALOG, DATA, ESCO, XSS, fillers, import_catalog

API = "/api/v1/catalog/programs"


@pytest.fixture
def ids(app: Any, client: Any) -> dict[str, str]:
    return import_catalog(app.state.engine)


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


def get(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get(API, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_lists_everything_by_name_with_facets(client: Any, ids: dict[str, str]) -> None:
    response = client.get(API)  # no credentials: the catalog is public
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    body = response.json()
    assert body["total"] == len(CATALOG)
    assert (body["limit"], body["offset"]) == (20, 0)
    assert names(body) == sorted(p.name for p in CATALOG)
    facets = body["facets"]
    assert facets["provider_type"]["university_college"] == 2
    assert facets["provider_type"]["online_platform"] == 2
    assert facets["provider_type"]["employer_vendor"] == 1
    assert facets["format"] == {"online": 3, "hybrid": 1, "in_person": 1}
    assert facets["proof"]["unknown"] == 1  # Welding Basics says nothing
    assert facets["credential_type"]["certification"] == 1
    first = next(i for i in body["items"] if i["name"] == DATA.name)
    assert first["id"] == ids["P1"]
    assert first["provider"] == {"name": "Acme College", "provider_type": "university_college"}
    assert first["is_sample"] is True
    assert first["as_of"] == "2026-10-01"
    assert first["currency"] == "CAD"
    assert first["price_hint"] == DATA.price_hint()
    assert first["funding"] == ["skillsfuture_eligible", "employer_sponsored"]


def test_words_and_filters(client: Any, ids: dict[str, str]) -> None:
    assert names(get(client, q="welding")) == ["Welding Basics"]
    assert set(names(get(client, q="data"))) == {
        "Data Analytics Foundations",
        "Data Visualisation",
        f"{XSS} Data Safety",
    }
    assert names(get(client, q="data", provider_type="online_platform", proof="ob2")) == [
        "Data Visualisation"
    ]
    assert names(get(client, format="hybrid")) == ["Cloud Practitioner"]
    assert names(get(client, topic="Data Analysis")) == [
        "Data Analytics Foundations",
        "Data Visualisation",
    ]
    assert names(get(client, skill=ESCO + "metal-joining")) == ["Welding Basics"]
    assert names(get(client, max_weeks=8)) == sorted(
        p.name for p in CATALOG if p.name != "Cloud Practitioner"
    )
    assert "Data Analytics Foundations" not in names(get(client, max_cost=500))
    assert names(get(client, funding="true")) == ["Data Analytics Foundations"]
    assert names(get(client, funding="skillsfuture_eligible")) == ["Data Analytics Foundations"]
    assert len(names(get(client, funding="false"))) == len(CATALOG) - 1
    # facets count the filtered set
    body = get(client, q="data")
    assert body["total"] == 3
    assert body["facets"]["provider_type"]["online_platform"] == 2
    assert body["facets"]["provider_type"]["employer_vendor"] == 0
    # an empty parameter is the same as none (a GET form sends them)
    assert get(client, q="", format="", max_cost="")["total"] == len(CATALOG)
    # query syntax is text, never an error
    assert get(client, q='"NEAR* (data) -OR:')["total"] >= 0


def test_pages(app: Any, client: Any, ids: dict[str, str]) -> None:
    import_catalog(app.state.engine, fillers(25))
    everything = names(get(client, limit=500))
    assert len(everything) == 30
    page1, page2 = get(client, limit=12), get(client, limit=12, offset=12)
    assert page1["total"] == page2["total"] == 30
    assert names(page1) + names(page2) == everything[:24]
    assert get(client, limit=0)["items"] == []
    assert get(client, limit=0)["total"] == 30
    assert get(client, offset=1000)["items"] == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"provider_type": "school"}, "provider_type"),
        ({"format": "carrier_pigeon"}, "format"),
        ({"proof": "ob4"}, "proof"),
        ({"max_cost": "-1"}, "max_cost"),
        ({"max_cost": "cheap"}, "max_cost"),
        ({"max_cost": "nan"}, "max_cost"),
        ({"max_cost": "inf"}, "max_cost"),
        ({"max_weeks": "-3"}, "max_weeks"),
        ({"max_weeks": "1.5"}, "max_weeks"),
        ({"max_weeks": "9" * 30}, "max_weeks"),
        ({"limit": "501"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "9" * 30}, "offset"),
        ({"funding": "Not A Token"}, "funding"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    client: Any, ids: dict[str, str], params: dict[str, str], name: str
) -> None:
    response = client.get(API, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert problem["code"] == "bad_request"
    assert problem["type"] == "urn:microcred:problem:bad_request"
    assert f"query.{name}" in problem["detail"]


def test_one_program_whole(client: Any, ids: dict[str, str]) -> None:
    response = client.get(f"{API}/{ids['P1']}")
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    body = response.json()
    assert body["id"] == ids["P1"]
    assert body["is_sample"] is True
    assert body["price_hint"] == DATA.price_hint()
    expected = DATA.to_json()
    assert {k: body[k] for k in expected} == expected  # every field of the model, as stored
    assert body["cost"][0] == {
        "kind": "per_course",
        "amount": 300,
        "currency": "CAD",
        "courses": 3,
        "every_years": None,
    }
    assert body["cohort_dates"] == ["2027-01-11", "2027-04-05"]


def test_unknown_program_is_404_problem(client: Any, ids: dict[str, str]) -> None:
    response = client.get(f"{API}/no-such-program")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"
    assert "no-such-program" in response.json()["detail"]


def test_markup_in_data_is_returned_as_data(client: Any, ids: dict[str, str]) -> None:
    body = client.get(f"{API}/{ids['P5']}").json()
    assert body["name"] == f"{XSS} Data Safety"
    assert client.get(f"{API}/{ids['P5']}").headers["content-type"] == "application/json"


def test_read_only(client: Any, ids: dict[str, str]) -> None:
    assert client.post(API, json={}).status_code == 405
    assert client.delete(f"{API}/{ids['P1']}").status_code == 405


def test_openapi_documents_the_catalog(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    search = doc["paths"][API]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert set(params) >= {
        "q",
        "topic",
        "skill",
        "provider_type",
        "format",
        "max_cost",
        "max_weeks",
        "funding",
        "proof",
        "limit",
        "offset",
    }
    assert all(p["in"] == "query" for p in params.values())
    assert "400" in search["responses"]
    ok = search["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/CatalogList")
    one = doc["paths"][f"{API}/{{program_id}}"]["get"]
    assert one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ProgramDetail"
    )
    assert "404" in one["responses"]
    schemas = doc["components"]["schemas"]
    assert {"CatalogList", "ProgramSummary", "ProgramDetail", "CatalogFacets"} <= set(schemas)
    # the pages are not part of the API
    assert "/catalog" not in doc["paths"]
