"""What the wallet reads out of a credential: name, dates, skills (achievement and result
alignments, ESCO / O*NET recognised), renewal link, and the content hash."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from microcred.wallet.extract import content_hash, fields_of, slug
from tests.helpers import ob_credential


def test_fields_of_an_open_badge():
    doc = ob_credential("did:example:issuer", valid_until="2030-01-01T00:00:00Z")
    f = fields_of(doc)
    assert f.name == "Data Analysis Micro-credential"
    assert (f.issuer_id, f.issuer_name) == ("did:example:issuer", "Example College")
    assert f.valid_from == datetime(2025, 1, 1, tzinfo=UTC)
    assert f.valid_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert f.credential_id == doc["id"]
    assert f.skills == [
        {
            "uri": "http://data.europa.eu/esco/skill/data-analysis",
            "label": "data analysis",
            "framework": "ESCO",
        }
    ]
    assert f.renewal_url is None


def test_result_alignments_onet_and_duplicates():
    doc = ob_credential("did:example:issuer")
    ach = doc["credentialSubject"]["achievement"]
    ach["alignment"].append(copy.deepcopy(ach["alignment"][0]))  # once only
    doc["credentialSubject"]["result"] = [
        {
            "type": ["Result"],
            "value": "A",
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "Data Scientists",
                    "targetUrl": "https://www.onetonline.org/link/summary/15-2051.00",
                },
                {"type": ["Alignment"], "targetName": "Statistics"},
            ],
        }
    ]
    skills = fields_of(doc).skills
    assert [(s["label"], s["framework"], s["uri"]) for s in skills] == [
        ("data analysis", "ESCO", "http://data.europa.eu/esco/skill/data-analysis"),
        ("Data Scientists", "O*NET", "https://www.onetonline.org/link/summary/15-2051.00"),
        ("Statistics", None, None),
    ]


def test_name_falls_back_and_renewal_is_read():
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": "did:example:u",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {
            "achievement": {"renewal": {"renewable": True, "url": "https://u.example/renew"}}
        },
    }
    f = fields_of(doc)
    assert f.name == "ExampleDegreeCredential" and f.valid_from == datetime(2020, 1, 1, tzinfo=UTC)
    assert f.renewal_url == "https://u.example/renew"
    doc["credentialSubject"]["achievement"]["renewal"]["url"] = "javascript:alert(1)"
    assert fields_of(doc).renewal_url is None
    doc["name"] = "A Degree"
    assert fields_of(doc).name == "A Degree"


def test_content_hash_ignores_key_order_and_whitespace():
    doc = ob_credential("did:example:issuer")
    shuffled = dict(reversed(list(doc.items())))
    assert content_hash(doc) == content_hash(shuffled)
    assert content_hash(doc) != content_hash({**doc, "name": "other"})


def test_slug():
    assert slug("Café — Data Analysis (Level 2)") == "cafe-data-analysis-level-2"
    assert slug("中文") == "credential"
