"""What is judged is what is signed: documents not in the plain compacted form are refused.

eddsa-rdfc-2022 and Ed25519Signature2020 sign the RDF graph; the verifier reads plain JSON
keys. Each trick below rewrites a signed credential (or presentation) so that its graph, and
so its signature, stay the same (asserted first: the canonical N-Quads are byte-identical and
the proof check passes), while the key the verifier reads is gone: a revocation, an expiry, a
future start, the subject, a presentation's expiry hidden; a name shown that is not signed.
Each must fail the ``context`` check naming the JSON path.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from microcred.vc import jsonld, proofs, statuslist
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.plainform import plain_form_problems
from microcred.vc.presentations import build_presentation, sign_presentation, verify_presentation
from microcred.vc.summary import summarize
from microcred.vc.verifier import verify_credential
from microcred.verifying.fetcher import Fetcher
from tests.helpers import ob_credential

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CRED = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
SEC_EXPIRATION = "https://w3id.org/security#expiration"
ISSUER = Ed25519Multikey.generate()
HOLDER = Ed25519Multikey.generate()
LIST_URL = "https://status.example.edu/lists/7"
CHALLENGE, DOMAIN = "8f2c", "hr.example.com"


class _NoNetwork:
    def handle_request(self, request: Any) -> Any:
        import httpx

        raise httpx.ConnectError(f"no network in tests: {request.url}", request=request)

    def close(self) -> None:
        pass


def _sign(doc: dict[str, Any], key: Ed25519Multikey = ISSUER) -> dict[str, Any]:
    return proofs.sign(doc, key, created="2025-06-01T00:00:00Z")


def _revoked_list() -> bytes:
    bits = statuslist.StatusList()
    bits.set(3, 1)
    doc = statuslist.status_list_credential(
        id=LIST_URL,
        issuer=ISSUER.controller,
        purpose="revocation",
        encoded_list=bits.encode(),
        valid_from="2025-01-01T00:00:00Z",
    )
    return json.dumps(_sign(doc)).encode()


@pytest.fixture(scope="module")
def fetch():
    with Fetcher(fixtures={LIST_URL: _revoked_list()}, transport=_NoNetwork()) as fetcher:
        yield fetcher


def _credential(**kw: Any) -> dict[str, Any]:
    return _sign(ob_credential(ISSUER.controller, name="Victim University Diploma", **kw))


REVOKED = _credential(
    credential_status=statuslist.status_entry(list_url=LIST_URL, index=3, purpose="revocation")
)
EXPIRED = _credential(valid_until="2025-12-31T00:00:00Z")
FUTURE = _credential(valid_from="2027-01-01T00:00:00Z")
PLAIN = _credential()


def _dt(value: str) -> dict[str, str]:
    return {"@value": value, "@type": XSD_DATETIME}


def _renamed(doc: dict[str, Any], key: str, new_key: str, value: Any = None) -> dict[str, Any]:
    """``doc`` with its top-level ``key`` written as ``new_key`` (in the same place)."""
    out: dict[str, Any] = {}
    for k, v in doc.items():
        out[new_key if k == key else k] = (value if value is not None else v) if k == key else v
    return out


def _nested(doc: dict[str, Any], key: str) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k != key}
    out["@nest"] = {key: doc[key]}
    return out


def _subject_at_id(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    subject = out["credentialSubject"]
    out["credentialSubject"] = {("@id" if k == "id" else k): v for k, v in subject.items()}
    return out


def _index_name(doc: dict[str, Any]) -> dict[str, Any]:
    """issuer.name: a value object that drops out of the graph (its @value is null) and whose
    @index a naive reader shows, then the signed name."""
    out = copy.deepcopy(doc)
    signed = out["issuer"]["name"]
    out["issuer"]["name"] = [{"@value": None, "@index": "Harvard University"}, signed]
    return out


def _index_narrative(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    criteria = out["credentialSubject"]["achievement"]["criteria"]
    criteria["narrative"] = [
        {"@value": None, "@index": "Passed with distinction"},
        criteria["narrative"],
    ]
    return out


def _alias(doc: dict[str, Any]) -> dict[str, Any]:
    """The status under a term an inline context defines: 'st' for credentialStatus's IRI."""
    out = _renamed(doc, "credentialStatus", "st")
    out["@context"] = [*doc["@context"], {"st": {"@id": f"{CRED}credentialStatus", "@type": "@id"}}]
    return out


# name -> (signed original, trick, JSON path the context check must name)
TRICKS = {
    "credentialStatus as its IRI": (
        REVOKED,
        lambda d: _renamed(d, "credentialStatus", f"{CRED}credentialStatus"),
        f"$['{CRED}credentialStatus']",
    ),
    "credentialStatus under @nest": (
        REVOKED,
        lambda d: _nested(d, "credentialStatus"),
        "$['@nest']",
    ),
    "credentialStatus under an inline alias": (REVOKED, _alias, "$['@context'][2].st"),
    "validUntil as its IRI": (
        EXPIRED,
        lambda d: _renamed(d, "validUntil", f"{CRED}validUntil", _dt(d["validUntil"])),
        f"$['{CRED}validUntil']",
    ),
    "validUntil as a compact IRI": (
        EXPIRED,
        lambda d: {
            **_renamed(d, "validUntil", "cred:validUntil", _dt(d["validUntil"])),
            "@context": [*d["@context"], {"cred": CRED}],
        },
        "$['cred:validUntil']",
    ),
    "validUntil under @nest": (EXPIRED, lambda d: _nested(d, "validUntil"), "$['@nest']"),
    "validFrom under @nest": (FUTURE, lambda d: _nested(d, "validFrom"), "$['@nest']"),
    "the subject's id as @id": (
        PLAIN,
        _subject_at_id,
        "$.credentialSubject['@id']",
    ),
    "issuer.name from @index": (PLAIN, _index_name, "$.issuer.name[0]['@value']"),
    "criteria.narrative from @index": (
        PLAIN,
        _index_narrative,
        "$.credentialSubject.achievement.criteria.narrative[0]['@index']",
    ),
}


def _unsigned(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_the_trick_keeps_the_signed_graph_and_the_signature(name, fetch):
    original, trick, _ = TRICKS[name]
    tricked = trick(copy.deepcopy(original))
    # rdfc signs the canonical N-Quads: the same bytes, so the same signature
    assert jsonld.canonical_nquads(_unsigned(tricked)) == jsonld.canonical_nquads(
        _unsigned(original)
    )
    report = verify_credential(tricked, now=NOW, fetch=fetch)
    assert report.check("proof").status == "passed", report.to_json()


@pytest.mark.parametrize("name", sorted(TRICKS))
def test_a_credential_not_in_plain_form_fails_the_context_check_naming_the_path(name, fetch):
    original, trick, path = TRICKS[name]
    report = verify_credential(trick(copy.deepcopy(original)), now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    context = report.check("context")
    assert context.status == "failed"
    assert path in context.message, context.message
    assert "plain compacted form" in context.message


def test_the_originals_are_judged_as_they_say(fetch):
    """The premises: what each trick would hide is really there."""
    assert verify_credential(PLAIN, now=NOW, fetch=fetch).verdict == "verified"
    assert verify_credential(REVOKED, now=NOW, fetch=fetch).check("status").status == "failed"
    assert verify_credential(EXPIRED, now=NOW, fetch=fetch).check("expiry").status == "failed"
    future = verify_credential(FUTURE, now=NOW, fetch=fetch)
    assert future.check("not_yet_valid").status == "failed"
    for doc in (PLAIN, REVOKED, EXPIRED, FUTURE):
        assert plain_form_problems(doc) == []


def test_the_summary_never_shows_what_is_not_signed():
    tricked = summarize(_index_narrative(_index_name(PLAIN)))
    assert tricked.issuer_name == PLAIN["issuer"]["name"]
    assert tricked.criteria == PLAIN["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert summarize({"name": [{"@value": 7, "@index": "x"}]}).name is None
    assert summarize({"name": {"en": "Name", "@index": "Other"}}).name == "Name"


# ---- the rule itself -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["proof"].update({"@type": "x"}), "$.proof['@type']", "write 'type'"),
        (lambda d: d.update({"@included": [{"id": "urn:x"}]}), "$['@included']", "keyword"),
        (lambda d: d.update({"@foo": 1}), "$['@foo']", "keyword-like key"),
        (lambda d: d["issuer"].update({"@reverse": {}}), "$.issuer['@reverse']", "keyword"),
        (
            lambda d: d["credentialSubject"].update({"schema:name": "x"}),
            "$.credentialSubject['schema:name']",
            "prefix:suffix",
        ),
        (
            lambda d: d.update({"https://schema.org/name": "x"}),
            "$['https://schema.org/name']",
            "write 'name'",
        ),
        (
            lambda d: d["@context"].append({"@vocab": "https://evil.example/"}),
            "$['@context'][2]['@vocab']",
            "@vocab",
        ),
        (
            lambda d: d["@context"].append({"@base": "https://evil.example/"}),
            "$['@context'][2]['@base']",
            "@base",
        ),
        (
            lambda d: d["@context"].append({"x": {"@id": "https://e.x/x", "@nest": "n"}}),
            "$['@context'][2].x",
            "@nest",
        ),
        (lambda d: d["@context"].append({"i": "@id"}), "$['@context'][2].i", "alias"),
        (
            lambda d: d["@context"].append({"t": {"@id": "@type", "@container": "@set"}}),
            "$['@context'][2].t",
            "alias",
        ),
        (
            lambda d: d["@context"].append({"nm": "https://schema.org/name"}),
            "$['@context'][2].nm",
            "call it 'name'",
        ),
        (
            lambda d: d["@context"].append(
                {"x": {"@id": "https://e.x/x", "@context": {"@propagate": True}}}
            ),
            "$['@context'][2].x['@context']['@propagate']",
            "@propagate",
        ),
        (
            lambda d: d["credentialSubject"].update({"@context": {"s": f"{CRED}credentialStatus"}}),
            "$.credentialSubject['@context'].s",
            "'credentialStatus'",
        ),
    ],
)
def test_each_departure_is_named(change, path, words):
    doc = copy.deepcopy(_unsigned(PLAIN))
    doc["proof"] = copy.deepcopy(PLAIN["proof"])
    change(doc)
    problems = plain_form_problems(doc)
    assert any(p.startswith(f"{path}:") and words in p for p in problems), problems


def test_what_the_rule_allows():
    doc = copy.deepcopy(PLAIN)
    # a new term with a new IRI, a default language, a term restated as its contexts define it
    doc["@context"] = [
        *doc["@context"],
        {
            "@language": "en",
            "colour": "https://example.org/colour",
            "name": "https://schema.org/name",
        },
    ]
    doc["colour"] = "blue"
    # values that are IRIs, JSON literals of @json terms (not JSON-LD: not looked into)
    doc["credentialSubject"]["type"] = ["AchievementSubject", "https://example.org/Learner"]
    doc["credentialSchema"] = [{"id": "https://e.x/s", "type": "JsonSchema"}]
    assert plain_form_problems(doc) == []
    assert plain_form_problems("not an object") == []
    json_literal = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "JsonSchemaCredential"],
        "credentialSubject": {"type": "JsonSchema", "jsonSchema": {"$id": "x", "@id": "y"}},
    }
    assert plain_form_problems(json_literal) == []


# ---- presentations -------------------------------------------------------------------------
def _vp(expires: datetime) -> dict[str, Any]:
    vp = build_presentation([PLAIN], holder=HOLDER.controller or "")
    return sign_presentation(
        vp,
        HOLDER,
        challenge=CHALLENGE,
        domain=DOMAIN,
        created=NOW - timedelta(hours=2),
        expires=expires,
    )


def test_a_presentation_whose_proof_expiry_is_written_as_its_iri_fails(fetch):
    vp = _vp(NOW - timedelta(hours=1))
    expect = {"challenge": CHALLENGE, "domain": DOMAIN, "now": NOW, "fetch": fetch}
    assert verify_presentation(vp, **expect).verdict == "failed"  # the premise: it expired
    tricked = copy.deepcopy(vp)
    tricked["proof"] = _renamed(vp["proof"], "expires", SEC_EXPIRATION, _dt(vp["proof"]["expires"]))
    report = verify_presentation(tricked, **expect)
    assert report.check("proof").status == "passed"  # the signature still holds
    assert report.verdict == "failed"
    context = report.check("context")
    assert context.status == "failed"
    assert f"$.proof['{SEC_EXPIRATION}']" in context.message


def test_a_presentation_in_plain_form_is_untouched(fetch):
    vp = _vp(NOW + timedelta(hours=1))
    report = verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, now=NOW, fetch=fetch)
    assert report.check("context").status == "passed"
    assert plain_form_problems(vp, what="presentation") == []


# ---- the command line ----------------------------------------------------------------------
def test_the_cli_exits_1_naming_the_path(tmp_path: Path):
    tricked = _subject_at_id(PLAIN)
    path = tmp_path / "tricked.json"
    path.write_text(json.dumps(tricked))
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(PLAIN))
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", "--at", NOW.isoformat(), str(plain)])
    assert ok.exit_code == 0, ok.output
    result = runner.invoke(app, ["verify", "--json", "--at", NOW.isoformat(), str(path)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)[0]
    context = next(c for c in report["checks"] if c["name"] == "context")
    assert context["status"] == "failed"
    assert "$.credentialSubject['@id']" in context["message"]


# ---- real-world credentials ----------------------------------------------------------------
#: files whose inline context uses @vocab (refused); neither verifies today (manifest)
REFUSED_REAL_WORLD = {
    "realworld/sphereon-oid4vc-plugfest2-vendors/mattr-jff-plugfest2.json",
    "realworld/spruceid-ssi/ecdsa-sd-2023-derived.json",
    "realworld/spruceid-ssi/bbs-2023-derived.jsonld",
}


def test_real_world_credentials_stay_in_plain_form(conformance_dir: Path):
    manifest = json.loads((conformance_dir / "realworld" / "manifest.json").read_text())
    verdicts = {e["file"]: e.get("microcred", {}).get("verdict") for e in manifest["entries"]}
    checked = 0
    for folder in ("realworld", "1edtech-validator-ob30"):
        for file in sorted((conformance_dir / folder).rglob("*.json*")):
            rel = file.relative_to(conformance_dir).as_posix()
            if "/fixtures/" in rel or file.name in ("manifest.json", "expectations.json"):
                continue
            data = json.loads(file.read_text("utf-8"))
            problems = [
                p
                for d in (data if isinstance(data, list) else [data])
                for p in plain_form_problems(d)
            ]
            checked += 1
            if rel in REFUSED_REAL_WORLD:
                assert problems and all("@vocab" in p for p in problems), (rel, problems)
                assert verdicts[rel.removeprefix("realworld/")] != "verified"
            else:
                assert problems == [], (rel, problems)
    assert checked > 100
