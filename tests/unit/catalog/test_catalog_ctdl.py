"""CTDL JSON-LD: import (graph, list, single node), durations, costs, rejections, export."""

from __future__ import annotations

import json

import pytest

from microcred.catalog.csv_io import read_csv
from microcred.catalog.ctdl import parse_duration, read_ctdl, write_ctdl

ORG = {
    "@id": "_:b0",
    "@type": "ceterms:CredentialOrganization",
    "ceterms:name": {"en-US": "Acme College"},
    "ceterms:agentType": [
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNode": "orgType:CollegeUniversity",
        }
    ],
    "ceterms:accreditedBy": [{"ceterms:name": {"en-US": "Quality Council"}}],
    "ceterms:subjectWebpage": "https://acme.example",
}


def cred(**extra):
    node = {
        "@type": "ceterms:MicroCredential",
        "ceterms:ctid": "ce-1111",
        "ceterms:name": {"en-US": "Data Analytics"},
        "ceterms:description": {"en-US": "Learn SQL", "fr": "Apprendre SQL"},
        "ceterms:offeredBy": ["_:b0"],
        "ceterms:inLanguage": ["en-US"],
        "ceterms:learningDeliveryType": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNode": "deliveryType:OnlineOnly",
            }
        ],
        "ceterms:estimatedDuration": [
            {"@type": "ceterms:DurationProfile", "ceterms:timeRequired": "PT180H"},
            {
                "@type": "ceterms:DurationProfile",
                "ceterms:minimumDuration": "P3M",
                "ceterms:maximumDuration": "P6M",
            },
        ],
        "ceterms:estimatedCost": [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:price": 49,
                "ceterms:currency": "US Dollar",
                "ceterms:paymentPattern": {"en-US": "Monthly subscription"},
            },
            {
                "@type": "ceterms:CostProfile",
                "ceterms:price": "150",
                "ceterms:currency": "USD",
                "ceterms:directCostType": [{"ceterms:targetNode": "costType:StandaloneAssessment"}],
            },
            {
                "@type": "ceterms:CostProfile",
                "ceterms:price": 100,
                "ceterms:currency": "USD",
                "ceterms:directCostType": [{"ceterms:targetNode": "costType:RenewalFee"}],
                "ceterms:paymentPattern": "Every 3 years",
            },
        ],
        "ceterms:financialAssistance": [
            {
                "@type": "ceterms:FinancialAssistanceProfile",
                "ceterms:name": {"en-US": "SkillsFuture eligible"},
            }
        ],
        "ceterms:occupationType": [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:codedNotation": "15-2051.00"}
        ],
        "ceterms:subject": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNodeName": {"en-US": "Data analysis"},
            },
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNode": "http://data.europa.eu/esco/skill/abc",
            },
        ],
        "ceterms:keyword": {"en-US": ["SQL", "dashboards"]},
        "ceterms:isPartOf": ["https://credentialengineregistry.org/resources/ce-9999"],
    }
    node.update(extra)
    return node


def graph(*nodes):
    return json.dumps(
        {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [ORG, *nodes]}
    )


@pytest.mark.parametrize(
    "text,weeks,hours",
    [
        ("P3M", 13, 0),
        ("P8W", 8, 0),
        ("PT180H", 0, 180),
        ("P1Y", 52, 0),
        ("P14D", 2, 0),
        ("P1DT12H", 1 / 7, 12),
    ],
)
def test_iso_durations(text, weeks, hours):
    w, h = parse_duration(text)
    assert w == pytest.approx(weeks) and h == pytest.approx(hours)


@pytest.mark.parametrize("text", ["P", "3M", "PT", "P3X", "P1.5.2M"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_graph_with_blank_node_organisation():
    programs, problems = read_ctdl(graph(cred()))
    assert problems == []
    [(where, p)] = programs
    assert where == "record 1"
    assert p.external_id == "ce-1111" and p.name == "Data Analytics"
    assert p.description == "Learn SQL"
    assert p.credential_type == "micro_credential"
    assert p.provider.name == "Acme College"
    assert p.provider.provider_type == "university_college"
    assert p.provider.accrediting_body == "Quality Council"
    assert p.hours == 180 and (p.weeks_min, p.weeks_max) == (13, 26)
    assert p.format == "online" and p.language == "en-US"
    assert [(c.kind, c.amount, c.currency, c.every_years) for c in p.cost] == [
        ("monthly", 49, "USD", None),
        ("exam", 150, "USD", None),
        ("renewal", 100, "USD", 3),
    ]
    assert p.funding == ["skillsfuture_eligible"]
    assert p.occupations == ["15-2051.00"]
    assert p.skills == ["http://data.europa.eu/esco/skill/abc"]
    assert p.topics == ["Data analysis", "SQL", "dashboards"]
    assert p.stacks_into == ["https://credentialengineregistry.org/resources/ce-9999"]
    assert p.price_hint() == 441 + 150 + 100


def test_single_node_and_list_without_prefixes():
    node = {
        "@type": "Certificate",
        "ctid": "ce-2",
        "name": "Cert",
        "ownedBy": {"name": "Vendor Inc", "agentType": "orgType:Business"},
        "estimatedDuration": {"exactDuration": "P8W"},
    }
    for text in (json.dumps(node), json.dumps([node])):
        programs, problems = read_ctdl(text)
        assert problems == []
        p = programs[0][1]
        assert p.credential_type == "certificate"
        assert p.provider.provider_type == "employer_vendor"
        assert (p.weeks_min, p.weeks_max) == (8, 8)


def test_each_rejected_record_has_its_reason():
    text = graph(
        {"@type": "ceterms:QualityAssuranceCredential", "ceterms:ctid": "x"},
        cred(**{"ceterms:offeredBy": ["_:missing"]}),
        cred(
            **{
                "ceterms:ctid": "d",
                "ceterms:estimatedDuration": [{"ceterms:exactDuration": "three months"}],
            }
        ),
        cred(
            **{
                "ceterms:ctid": "c",
                "ceterms:estimatedCost": [{"ceterms:price": 5, "ceterms:currency": "Doubloons"}],
            }
        ),
        cred(**{"ceterms:ctid": "p", "ceterms:estimatedCost": [{"ceterms:currency": "USD"}]}),
        cred(**{"ceterms:ctid": "n", "ceterms:name": ""}),
        cred(),
        cred(),
    )
    programs, problems = read_ctdl(text)
    got = [str(p) for p in problems]
    expected = [
        "record 1: @type ceterms:QualityAssuranceCredential is not a credential",
        "record 2: ceterms:offeredBy/ownedBy: the organisation '_:missing' is not in the document",
        "record 3: ceterms:estimatedDuration[0] ceterms:exactDuration: 'three months' is not an ISO 8601 duration",
        "record 4: ceterms:estimatedCost[0]: currency 'Doubloons' is not an ISO 4217 code",
        "record 5: ceterms:estimatedCost[0]: ceterms:price is missing",
        "record 6, name: a program needs a name",
        "record 8: repeats program 'ce-1111' of 'Acme College' (record 7)",
    ]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g.startswith(e), (g, e)


def test_not_json():
    _, problems = read_ctdl("{nope")
    assert str(problems[0]).startswith("line 1: not JSON")


def test_round_trip_through_ctdl():
    csv_text = (
        "external_id,name,provider,provider_type,provider_recognised,provider_country,"
        "provider_institution_type,credential_type,hours,ects,eqf_level,qualification_level,"
        "cost,format,language,proof,skills,topics,occupations,weeks_min,weeks_max,funding,recognition,"
        "cohort_dates,pacing,stacks_into,has_parts,prerequisites,as_of,validity_months\n"
        "A1,Analytics,Acme College,university_college,yes,CA-ON,public_college,micro_credential,"
        "180,6,5,4,"
        "per_course:300:CAD:4;exam:150:CAD;renewal:100:CAD:3,hybrid,fr-CA,ob3_vc,"
        "http://data.europa.eu/esco/skill/abc,SQL|data,https://www.onetonline.org/x|15-2051.00,10,12,"
        "provincially_approved,endorsement|Acme Corp|2026-05-01|Endorsed,2027-01-10,cohort,"
        "https://x.example/cert,https://x.example/part,Basic maths,2026-11-01,36\n"
        "B2,Badge,Vendor Inc,employer_vendor,no,DE,,open_badge,,,,,monthly:29:USD,online,en,ob2,"
        ",,,,,,,,,,,,,\n"
    )
    programs, problems = read_csv(csv_text)
    assert problems == []
    originals = [p for _, p in programs]
    doc = write_ctdl(originals)
    assert doc["@graph"][1]["@type"] == "ceterms:MicroCredential"
    assert doc["@graph"][0]["ceterms:address"] == [
        {"@type": "ceterms:Place", "ceterms:addressCountry": "CA", "ceterms:addressRegion": "ON"}
    ]
    assert originals[0].provider.country == "CA-ON"
    assert originals[0].provider.institution_type == "public_college"
    assert originals[0].qualification_level == 4
    assert originals[1].provider.country == "DE"
    again, problems = read_ctdl(json.dumps(doc))
    assert problems == []
    assert [p for _, p in again] == originals


def test_export_speaks_ctdl():
    [(_, p)] = read_ctdl(graph(cred()))[0]
    node = write_ctdl([p])["@graph"][1]
    assert node["ceterms:ctid"] == "ce-1111"
    costs = node["ceterms:estimatedCost"]
    assert costs[0]["ceterms:paymentPattern"] == {"en": "Monthly"}
    assert costs[2]["ceterms:directCostType"][0]["ceterms:targetNode"] == "costType:RenewalFee"
    durations = node["ceterms:estimatedDuration"]
    assert durations[0]["ceterms:timeRequired"] == "PT180H"
    assert durations[1]["ceterms:minimumDuration"] == "P13W"
