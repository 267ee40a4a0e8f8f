"""Properties of the verifier (``microcred.vc.verifier``), checked with hypothesis.

1. Tampering: any change to the content of a signed credential (eddsa-rdfc-2022,
   eddsa-jcs-2022, VC-JWT) fails, and it is the proof check that fails. The edits: a leaf
   string/number/bool replaced, an object member deleted, a list item removed or added, a
   property the context defines added. Classes of edits that do not change the *meaning*
   are not generated for eddsa-rdfc-2022, which signs the RDF dataset, not the JSON:

   - a value replaced by one with the same RDF lexical form: ``5``/``5.0``/``"5"`` and
     ``true``/``"true"`` on a term typed by the context (xsd:float, xsd:boolean), and floats
     equal to the 16 significant digits of JSON-LD's canonical xsd:double (``0.1`` and
     ``0.10000000000000002`` are both ``"1.0E-1"``);
   - an item appended to a ``@set`` array that is already in it (RDF sets have no
     duplicates); anything appended to ``@context`` (a context defining no term the
     document uses changes no triple);
   - a term replaced by an alias or the IRI it expands to, a value set to ``null`` or
     ``[]`` (no triple), a ``@context`` swapped for an equivalent one: not generated at all.

   For eddsa-jcs-2022 and VC-JWT only JSON-equal values are excluded (``5``/``5.0`` are the
   same number in JCS).
2. Key order (at any depth, proof included), whitespace, indentation, a BOM and padding do
   not change a verified verdict.
3. Arbitrary bytes, text, JWT-shaped tokens, JSON values and JSON objects carrying a copied
   valid proof never crash the verifier (a report or InputError) and never verify.
4. Bad input is refused with a message that says what is wrong.
5. Denial-of-service shapes are refused or completed (no timing asserts here).
6. A status list that cannot be fetched makes the verdict indeterminate, never verified.

Five bugs this module found are fixed, and their tests stay: inline contexts and
keyword-like types crashed the verifier, deep nesting let a RecursionError escape, syntax
errors in pretty-printed JSON named the wrong line, and wide arrays made canonicalization
quadratic (now refused past jsonld.MAX_ARRAY_ITEMS). Nothing here touches the network: the
fetcher's transport refuses every request.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from microcred.vc import proofs, vcjwt
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.report import Report
from microcred.vc.verifier import (
    MAX_INPUT_BYTES,
    InputError,
    verify_bytes,
    verify_credential,
)
from microcred.verifying.fetcher import Fetcher
from tests.helpers import ob_credential

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def sign_before_now(*args, **kwargs):
    """Sign with a ``created`` before the fixed clock these tests verify at (a proof made
    after the verifier's "now" fails as made in the future)."""
    kwargs.setdefault("created", "2025-06-01T00:00:00Z")
    return proofs.sign(*args, **kwargs)


VC2 = "https://www.w3.org/ns/credentials/v2"
RDFC, JCS, JWT = "eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"
SUITES = (RDFC, JCS, JWT)


class _NoNetwork:
    """An httpx transport that refuses every request (tests never touch the internet)."""

    def handle_request(self, request):
        import httpx

        raise httpx.ConnectError(f"no network in tests: {request.url}", request=request)

    def close(self):
        pass


@pytest.fixture(scope="module")
def fetch():
    with Fetcher(fixtures={}, transport=_NoNetwork()) as fetcher:
        yield fetcher


# ---- the credentials, signed once ----------------------------------------------------------
KEY = Ed25519Multikey.generate()


def _base_credential() -> dict[str, Any]:
    """The helper's OB 3.0 credential plus a number, a bool and non-ASCII text, so that every
    JSON leaf type is there to tamper with."""
    doc = ob_credential(KEY.controller)
    doc["description"] = "Analyse de données — niveau 2 📊, tab\there"
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = 3.5
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": "learner42@example.edu",
            "identityType": "emailAddress",
        }
    ]
    return doc


BASE = _base_credential()
SIGNED = {
    RDFC: sign_before_now(BASE, KEY, cryptosuite=RDFC),
    JCS: sign_before_now(BASE, KEY, cryptosuite=JCS),
}
TOKEN = vcjwt.sign_vc_jwt(BASE, KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwt_payload() -> dict[str, Any]:
    return json.loads(_unb64(TOKEN.split(".")[1]))


def _content(suite: str) -> dict[str, Any]:
    """What is signed, as JSON (the proof left out; for VC-JWT the ``vc`` claim)."""
    if suite == JWT:
        return _jwt_payload()["vc"]
    return {k: v for k, v in SIGNED[suite].items() if k != "proof"}


@pytest.mark.parametrize("suite", SUITES)
def test_the_untouched_credentials_verify(suite, fetch):
    """The premise of everything below."""
    data = TOKEN.encode() if suite == JWT else json.dumps(SIGNED[suite]).encode()
    reports = verify_bytes(data, now=NOW, fetch=fetch)
    assert [r.verdict for r in reports] == ["verified"], reports[0].to_json()


# ---- 1. tampering --------------------------------------------------------------------------
Path = tuple[str | int, ...]


def _walk(node: Any, path: Path = ()):
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def _get(node: Any, path: Path) -> Any:
    for step in path:
        node = node[step]
    return node


def _leaves(doc: Any) -> list[Path]:
    return [p for p, v in _walk(doc) if isinstance(v, str | int | float | bool) and p]


def _members(doc: Any) -> list[Path]:
    """Paths to object members (deletable). None holds null or [] (whose removal would be
    invisible to RDF): checked, so a changed helper cannot silently weaken the test."""
    out = [p for p, _ in _walk(doc) if p and isinstance(p[-1], str)]
    assert all(_get(doc, p) not in (None, []) for p in out)
    return out


def _lists(doc: Any) -> list[Path]:
    return [p for p, v in _walk(doc) if isinstance(v, list) and v]


#: Properties the contexts define, by the object they are added to (none is in BASE).
_TEXT = st.text(max_size=30)
ADDITIONS: list[tuple[Path, str, st.SearchStrategy[Any]]] = [
    ((), "awardedDate", st.just("2025-02-03T04:05:06Z")),
    (("issuer",), "email", _TEXT),
    (("issuer",), "url", _TEXT.map(lambda s: "https://example.edu/" + s)),
    (("issuer",), "description", _TEXT),
    (("credentialSubject",), "creditsEarned", st.integers(0, 500) | st.floats(0, 500)),
    (("credentialSubject", "achievement"), "humanCode", _TEXT),
    (("credentialSubject", "achievement"), "fieldOfStudy", _TEXT),
    (("credentialSubject", "achievement"), "tag", st.lists(_TEXT, min_size=1, max_size=3)),
    (("credentialSubject", "achievement", "alignment", 0), "targetDescription", _TEXT),
    (("credentialSubject", "achievement", "alignment", 0), "targetCode", _TEXT),
]


def _double(value: float) -> str:
    """JSON-LD's canonical xsd:double (jsonld.js toExponential(15); pyld the same)."""
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")


def _rdf_lexical_forms(value: Any) -> set[str]:
    """Every lexical form ``value`` can take in an RDF literal, whatever the term's @type:
    deliberately generous, so that only edits that surely change a literal are kept."""
    if isinstance(value, bool):
        return {"true" if value else "false"}
    if isinstance(value, int | float):
        forms = {_double(float(value))}
        if float(value).is_integer():
            forms.add(str(int(value)))
        return forms
    forms = {value}
    try:
        number = float(value)
    except ValueError:
        return forms
    if math.isfinite(number):
        forms.add(_double(number))
    return forms


def _json_same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b  # JCS writes 5.0 as 5
    return type(a) is type(b) and a == b


def _same_meaning(old: Any, new: Any, suite: str) -> bool:
    if suite == RDFC:
        return bool(_rdf_lexical_forms(old) & _rdf_lexical_forms(new))
    return _json_same(old, new)


_SCALARS = (
    st.text(max_size=20)
    | st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)


@st.composite
def _tweaked(draw, text: str) -> str:
    """``text`` with one character inserted, deleted or replaced (keeps ids and dates
    well-formed often enough for the signature itself to be what catches the change)."""
    i = draw(st.integers(0, len(text)))
    c = draw(st.characters())
    kind = draw(st.sampled_from(["insert", "delete", "replace"]) if text else st.just("insert"))
    if kind == "insert":
        return text[:i] + c + text[i:]
    i = min(i, len(text) - 1)
    return text[:i] + (c if kind == "replace" else "") + text[i + 1 :]


def _replacement(old: Any) -> st.SearchStrategy[Any]:
    if isinstance(old, str):
        return _tweaked(old) | _SCALARS
    if isinstance(old, bool):
        return st.sampled_from([not old, str(old).lower(), int(old)]) | _SCALARS
    near = st.floats(min_value=old - 1, max_value=old + 1, allow_nan=False)
    return st.sampled_from([str(old), float(old), int(old), old + 1, -old]) | near | _SCALARS


@st.composite
def _edit(draw, doc: dict[str, Any], suite: str) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["replace", "delete", "remove_item", "append", "add"]))
    if kind == "replace":
        path = draw(st.sampled_from(_leaves(doc)))
        old = _get(doc, path)
        new = draw(_replacement(old))
        assume(not _same_meaning(old, new, suite))
        return ("replace", path, new)
    if kind == "delete":
        return ("delete", draw(st.sampled_from(_members(doc))))
    if kind == "remove_item":
        path = draw(st.sampled_from(_lists(doc)))
        return ("remove_item", path, draw(st.integers(0, len(_get(doc, path)) - 1)))
    if kind == "append":
        lists = _lists(doc)
        if suite == RDFC:
            lists = [p for p in lists if p[-1] != "@context"]
        path = draw(st.sampled_from(lists))
        items = _get(doc, path)
        if isinstance(items[0], dict):
            # a copy of an item, possibly changed: even an exact copy is a new blank node,
            # so new triples
            item = copy.deepcopy(draw(st.sampled_from(items)))
            if draw(st.booleans()):
                leaf = draw(st.sampled_from(_leaves(item)))
                new = draw(_replacement(_get(item, leaf)))
                _set(item, leaf, new)
        else:
            item = draw(_TEXT | st.sampled_from(items).flatmap(_tweaked))
            assume(item not in items)
        return ("append", path, item)
    where, key, values = draw(st.sampled_from(ADDITIONS))
    assert key not in _get(doc, where)
    return ("add", (*where, key), draw(values))


def _set(node: Any, path: Path, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _apply(doc: dict[str, Any], edit: tuple[Any, ...]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    kind, path = edit[0], edit[1]
    if kind in ("replace", "add"):
        _set(out, path, edit[2])
    elif kind == "delete":
        del _get(out, path[:-1])[path[-1]]
    elif kind == "remove_item":
        del _get(out, path)[edit[2]]
    else:
        _get(out, path).append(edit[2])
    return out


def _tampered_report(suite: str, edit: tuple[Any, ...], fetch: Fetcher) -> Report:
    if suite == JWT:
        header, _, signature = TOKEN.split(".")
        payload = _jwt_payload()
        payload["vc"] = _apply(payload["vc"], edit)
        token = ".".join([header, _b64(json.dumps(payload).encode()), signature])
        [report] = verify_bytes(token.encode(), now=NOW, fetch=fetch)
        return report
    tampered = _apply(_content(suite), edit)
    tampered["proof"] = copy.deepcopy(SIGNED[suite]["proof"])
    return verify_credential(tampered, now=NOW, fetch=fetch)


@pytest.mark.parametrize("suite", SUITES)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_change_to_signed_content_fails(suite, data, fetch):
    edit = data.draw(_edit(_content(suite), suite), label="edit")
    report = _tampered_report(suite, edit, fetch)
    detail = json.dumps(report.to_json()["checks"], indent=1, ensure_ascii=False)
    assert report.verdict == "failed", detail
    assert report.check("proof").status == "failed", detail
    caught_by = "signature" if "does not match" in report.check("proof").message else "other"
    event(f"{edit[0]}, caught by the {caught_by}")


_ALIGNMENT = ("credentialSubject", "achievement", "alignment")
_CREDITS = ("credentialSubject", "achievement", "creditsAvailable")


@pytest.mark.parametrize(
    ("suite", "edit"),
    [
        (RDFC, ("add", ("issuer", "description"), "a new claim")),
        (RDFC, ("replace", _CREDITS, 3.25)),
        (RDFC, ("replace", ("credentialSubject", "identifier", 0, "hashed"), True)),
        (
            RDFC,
            (
                "append",
                _ALIGNMENT,
                copy.deepcopy(BASE[_ALIGNMENT[0]][_ALIGNMENT[1]][_ALIGNMENT[2]][0]),
            ),
        ),
        (JCS, ("replace", _CREDITS, "3.5")),
        (JCS, ("append", ("@context",), "https://w3id.org/security/data-integrity/v2")),
        (JWT, ("replace", _CREDITS, 3.5000001)),
    ],
    ids=[
        "rdfc-add",
        "rdfc-float",
        "rdfc-bool",
        "rdfc-duplicate-object",
        "jcs-number-as-string",
        "jcs-extra-context",
        "jwt-float",
    ],
)
def test_meaningful_edits_fail_at_the_signature(suite, edit, fetch):
    """The context stays valid, so it is the signature itself that catches these."""
    report = _tampered_report(suite, edit, fetch)
    detail = json.dumps(report.to_json()["checks"], indent=1, ensure_ascii=False)
    assert report.check("context").status == "passed", detail
    assert report.check("proof").status == "failed", detail
    if suite != JWT:
        assert "does not match" in report.check("proof").message, detail
    assert report.verdict == "failed"


@pytest.mark.parametrize("suite", [RDFC, JCS])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_change_to_the_proof_fails(suite, data, fetch):
    """Beyond the brief's content edits: the proof's own fields are signed too (its options
    are hashed, proofValue is the signature), so changing or adding one fails."""
    proof = SIGNED[suite]["proof"]
    if data.draw(st.booleans(), label="add a field"):
        key = data.draw(st.sampled_from(["expires", "domain", "challenge", "nonce"]), label="key")
        changed = {**proof, key: data.draw(_TEXT, label="value")}
    else:
        key = data.draw(st.sampled_from([k for k in proof if k != "@context"]), label="key")
        new = data.draw(_tweaked(proof[key]), label="value")
        assume(new != proof[key])
        changed = {**proof, key: new}
    doc = {**SIGNED[suite], "proof": changed}
    report = verify_credential(doc, now=NOW, fetch=fetch)
    assert report.verdict in ("failed", "indeterminate"), report.to_json()["checks"]
    assert report.check("proof").status in ("failed", "could_not_check")


@pytest.mark.parametrize(
    ("old", "new"),
    [(5, 5.0), (5, "5"), (True, "true"), (0.1, 0.10000000000000002), (1e21, 10**21)],
)
def test_the_excluded_rdf_edits_are_really_invisible(old, new):
    """The exclusion above is no broader than it needs to be for these known classes."""
    assert _same_meaning(old, new, RDFC)
    assert not _same_meaning("5", "6", RDFC)
    assert not _same_meaning(True, 1, RDFC)


# ---- 2. key order and whitespace -----------------------------------------------------------
def _shuffled(value: Any, rnd: Any) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


_WS = st.text(alphabet=" \t\r\n", max_size=4)


@pytest.mark.parametrize("suite", [RDFC, JCS])
@settings(max_examples=40, deadline=None)
@given(
    rnd=st.randoms(use_true_random=False),
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t", " \r"]),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]),
    ensure_ascii=st.booleans(),
    lead=_WS,
    trail=_WS,
    bom=st.booleans(),
)
def test_key_order_and_whitespace_do_not_change_the_verdict(
    suite, rnd, indent, separators, ensure_ascii, lead, trail, bom, fetch
):
    doc = _shuffled(SIGNED[suite], rnd)
    text = json.dumps(doc, indent=indent, separators=separators, ensure_ascii=ensure_ascii)
    data = (b"\xef\xbb\xbf" if bom else b"") + (lead + text + trail).encode("utf-8")
    reports = verify_bytes(data, now=NOW, fetch=fetch)
    assert [r.verdict for r in reports] == ["verified"], reports[0].to_json()


@settings(max_examples=20, deadline=None)
@given(lead=_WS, trail=_WS)
def test_whitespace_around_a_jwt_does_not_change_the_verdict(lead, trail, fetch):
    reports = verify_bytes((lead + TOKEN + trail).encode(), now=NOW, fetch=fetch)
    assert [r.verdict for r in reports] == ["verified"]


# ---- 3. arbitrary input never crashes and never verifies -----------------------------------
CREDENTIAL_KEYS = [
    "@context",
    "id",
    "type",
    "issuer",
    "validFrom",
    "validUntil",
    "name",
    "credentialSubject",
    "credentialStatus",
    "proof",
    "achievement",
    "alignment",
    "@id",
    "@type",
    "@graph",
]
_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from([VC2, BASE["@context"][1], KEY.controller, KEY.id, "2025-01-01T00:00:00Z"])
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(CREDENTIAL_KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


def _never_verified(data: bytes, fetch: Fetcher) -> None:
    try:
        reports = verify_bytes(data, now=NOW, fetch=fetch)
    except InputError as exc:
        assert exc.user_message
        return
    assert reports
    for report in reports:
        assert isinstance(report, Report)
        assert report.verdict in ("failed", "indeterminate"), report.to_json()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes(data, fetch):
    _never_verified(data, fetch)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=500))
def test_arbitrary_text(text, fetch):
    _never_verified(text.encode("utf-8"), fetch)


_HEADERS = st.fixed_dictionaries(
    {"alg": st.sampled_from(["EdDSA", "RS256", "ES256", "none", "HS256"]) | st.text(max_size=5)},
    optional={
        "kid": st.sampled_from([KEY.id, KEY.controller, "did:web:example.edu#k"]) | _TEXT,
        "typ": st.just("JWT"),
        "jwk": _JSON,
    },
)


@settings(max_examples=150, deadline=None)
@given(
    header=_HEADERS | _JSON,
    payload=st.fixed_dictionaries({"vc": _JSON | st.just(BASE)}, optional={"iss": _JSON}) | _JSON,
    signature=st.binary(max_size=80),
)
def test_arbitrary_jwt_shaped_tokens(header, payload, signature, fetch):
    token = ".".join(
        [_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), _b64(signature)]
    )
    _never_verified(token.encode(), fetch)


@settings(max_examples=200, deadline=None)
@given(value=_JSON)
def test_arbitrary_json_values(value, fetch):
    report = verify_credential(value, now=NOW, fetch=fetch)
    assert isinstance(report, Report)
    assert report.verdict != "verified"
    _never_verified(json.dumps(value).encode(), fetch)


_PROOFS = st.sampled_from(
    [SIGNED[RDFC]["proof"], SIGNED[JCS]["proof"], [SIGNED[RDFC]["proof"], SIGNED[JCS]["proof"]]]
)


@settings(max_examples=150, deadline=None)
@given(
    obj=st.dictionaries(st.sampled_from(CREDENTIAL_KEYS) | _TEXT, _JSON, max_size=8),
    proof=_PROOFS,
    keep_context=st.booleans(),
)
def test_json_objects_with_a_copied_proof_never_verify(obj, proof, keep_context, fetch):
    doc = dict(obj)
    if keep_context:
        doc["@context"] = list(BASE["@context"])
    doc["proof"] = copy.deepcopy(proof)
    report = verify_credential(doc, now=NOW, fetch=fetch)
    assert isinstance(report, Report)
    assert report.verdict != "verified", report.to_json()
    _never_verified(json.dumps(doc).encode(), fetch)


@settings(max_examples=150, deadline=None)
@given(
    overrides=st.dictionaries(
        st.sampled_from([k for k in BASE if k != "@context"]), _JSON, min_size=1, max_size=3
    ),
    proof=_PROOFS,
)
def test_a_credential_with_members_replaced_and_a_copied_proof_never_verifies(
    overrides, proof, fetch
):
    assume(any(not _json_same(BASE[k], v) for k, v in overrides.items()))
    doc = {**copy.deepcopy(BASE), **overrides, "proof": copy.deepcopy(proof)}
    report = verify_credential(doc, now=NOW, fetch=fetch)
    assert report.verdict == "failed", report.to_json()


# ---- 4. bad input, with messages -----------------------------------------------------------
def _input_error(data: bytes, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        verify_bytes(data, now=NOW, **kwargs)
    return info.value


def test_a_file_over_the_limit_is_refused_naming_the_limit():
    assert MAX_INPUT_BYTES == 5 * 1024 * 1024
    exc = _input_error(b" " * (MAX_INPUT_BYTES + 1))
    assert exc.code == "too_large"
    assert "5 MB" in exc.user_message and "limit" in exc.user_message
    # exactly at the limit it is read (and found empty)
    assert _input_error(b" " * MAX_INPUT_BYTES).code == "empty"


@pytest.mark.parametrize("data", [b"hello, world", b"\xff\xfe\x00\x01garbage", b"<html></html>"])
def test_an_unknown_format_names_the_accepted_formats(data):
    message = _input_error(data).user_message
    for fmt in ("JSON", "JSON Lines", "VC-JWT", "PNG", "SVG"):
        assert fmt in message, message


@pytest.mark.parametrize(
    "text", ['{"name": "x", }', '{"a": [1, 2,, 3]}', '[{"a": 1} {"b": 2}]', '{"a": tru}']
)
def test_a_json_syntax_error_names_line_and_column(text):
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
    message = _input_error(text.encode(), filename="badge.json").user_message
    assert where in message and message.startswith("badge.json"), message


@pytest.mark.parametrize("text", ['{\n  "a": 1,\n  "b": tru\n}', '\n\n{"a": }'])
def test_a_json_syntax_error_in_a_pretty_printed_file_names_its_real_line(text):
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
    message = _input_error(text.encode()).user_message
    assert where in message, message


def test_a_json_array_of_three_credentials_gives_three_reports(fetch):
    data = json.dumps([SIGNED[RDFC], SIGNED[JCS], BASE]).encode()
    reports = verify_bytes(data, now=NOW, fetch=fetch)
    assert [r.verdict for r in reports] == ["verified", "verified", "failed"]
    assert reports[2].check("proof").status == "failed"


def test_a_malformed_credential_fails_shape_naming_the_json_path(fetch):
    """A departure from Open Badges 3.0 is a conformance problem (reported, naming the path);
    strict verification makes it a failure of the shape check."""
    doc = copy.deepcopy(BASE)
    del doc["credentialSubject"]["achievement"]["name"]
    signed = sign_before_now(doc, KEY, cryptosuite=RDFC)
    data = json.dumps(signed).encode()
    [report] = verify_bytes(data, now=NOW, fetch=fetch, strict=True)
    assert report.verdict == "failed"
    assert [c.name for c in report.checks if c.status == "failed"] == ["shape"]
    assert "$.credentialSubject.achievement" in report.check("shape").message
    assert "name" in report.check("shape").message
    [lenient] = verify_bytes(data, now=NOW, fetch=fetch)
    assert lenient.verdict == "verified"
    assert any("$.credentialSubject.achievement.name" in p for p in lenient.conformance)
    assert lenient.to_json()["conformance"]["follows"] is False


def test_a_credential_without_an_issuer_fails_even_when_not_strict(fetch):
    doc = copy.deepcopy(BASE)
    del doc["issuer"]
    signed = sign_before_now(doc, KEY, cryptosuite=RDFC)
    [report] = verify_bytes(json.dumps(signed).encode(), now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    assert "$.issuer: issuer is required" in report.check("shape").message


# ---- 5. denial-of-service shapes -----------------------------------------------------------
def _clique(n: int) -> list[dict[str, Any]]:
    return [
        {"@id": f"_:n{i}", "link": [{"@id": f"_:n{j}"} for j in range(n) if j != i]}
        for i in range(n)
    ]


def test_a_7_clique_of_blank_nodes_is_refused_as_a_dos_shape(fetch):
    """Every node of a 7-clique needs 6! orders of its neighbours tried: refused, and the
    message says why. (Here the @vocab context sits in the subject; the top-level form is
    in test_inline_context_in_the_credential_does_not_crash.)"""
    doc = {
        "@context": [VC2],
        "type": ["VerifiableCredential"],
        "issuer": KEY.controller,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "@context": {"@vocab": "urn:ex:"},
            "id": "did:example:learner-42",
            "knows": _clique(7),
        },
        "proof": copy.deepcopy(SIGNED[RDFC]["proof"]),
    }
    [report] = verify_bytes(json.dumps(doc).encode(), now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    messages = " ".join(c.message for c in report.checks)
    assert "blank nodes" in messages and "denial-of-service" in messages, messages
    with pytest.raises(Exception, match="blank nodes"):
        sign_before_now({k: v for k, v in doc.items() if k != "proof"}, KEY, cryptosuite=RDFC)


@pytest.mark.parametrize("shape", ["signed-jcs", "signed-rdfc", "clique"])
def test_inline_context_in_the_credential_does_not_crash(shape, fetch):
    if shape == "clique":
        doc = {
            "@context": [VC2, {"@vocab": "urn:ex:"}],
            "type": ["VerifiableCredential"],
            "issuer": KEY.controller,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner-42", "knows": _clique(7)},
            "proof": copy.deepcopy(SIGNED[RDFC]["proof"]),
        }
        expected = "failed"
    else:
        doc = copy.deepcopy(BASE)
        doc["@context"] = [*doc["@context"], {"favouriteColour": "urn:ex:favouriteColour"}]
        doc["favouriteColour"] = "green"
        doc = sign_before_now(doc, KEY, cryptosuite=JCS if shape == "signed-jcs" else RDFC)
        expected = "verified"
    report = verify_credential(doc, now=NOW, fetch=fetch)
    assert report.verdict == expected, report.to_json()
    if shape == "clique":
        assert "blank nodes" in report.check("proof").message


@pytest.mark.parametrize(
    "path", [("type",), ("credentialSubject", "achievement", "type"), ("issuer", "type")]
)
def test_a_keyword_like_type_does_not_crash(path, fetch):
    doc = copy.deepcopy(SIGNED[JCS])
    _get(doc, path).append("@A")
    [report] = verify_bytes(json.dumps(doc).encode(), now=NOW, fetch=fetch)
    assert report.verdict == "failed"


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"@context": "' + VC2.encode() + b'", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["lists", "objects", "in-a-credential"],
)
def test_json_nested_100000_deep_is_refused(data):
    exc = _input_error(data)
    assert "nested too deeply" in exc.user_message


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _max_json_depth() -> int:
    """The deepest list nesting json.loads reads from here (it depends on the stack)."""
    lo, hi = 1, 200_000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            json.loads("[" * mid + "]" * mid)
        except RecursionError:
            hi = mid - 1
        else:
            lo = mid
    return lo


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_json_nested_just_below_the_parser_limit_does_not_crash(suite, fetch):
    top = _max_json_depth()
    escaped = []
    for depth in range(top // 3, top + 20, 3):
        doc = copy.deepcopy(SIGNED[suite])
        doc["description"] = _nested(depth)
        try:
            data = json.dumps(doc).encode()
        except RecursionError:
            break
        try:
            reports = verify_bytes(data, now=NOW, fetch=fetch)
        except InputError:
            continue
        except RecursionError:
            escaped.append(depth)
            continue
        assert reports[0].verdict == "failed"
    assert not escaped, f"RecursionError escaped at list depths {escaped[:3]}..."


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_a_4_mb_string_value_is_handled(suite, fetch):
    big = "données " * (4 * 1024 * 1024 // 9)
    doc = copy.deepcopy(BASE)
    doc["credentialSubject"]["achievement"]["description"] = big
    signed = sign_before_now(doc, KEY, cryptosuite=suite)
    data = json.dumps(signed, ensure_ascii=False).encode()
    assert 4 * 1024 * 1024 <= len(data) <= MAX_INPUT_BYTES
    [report] = verify_bytes(data, now=NOW, fetch=fetch)
    assert report.verdict == "verified", report.to_json()["checks"]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["description"] = big + "!"
    data = json.dumps(tampered, ensure_ascii=False).encode()
    [report] = verify_bytes(data, now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    assert "does not match" in report.check("proof").message


def _with_alignments(n: int) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["credentialSubject"]["achievement"]["alignment"].extend(
        {
            "type": ["Alignment"],
            "targetName": f"skill {i}",
            "targetUrl": f"https://example.org/skills/{i}",
        }
        for i in range(n)
    )
    return doc


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_50000_alignments_are_refused_as_too_large(suite, fetch):
    """Turning a document into RDF is quadratic in the values of one property (pyld's node
    map checks each new value against the earlier ones: 4.6 s for 4,000 alignments, over
    10 minutes for 50,000, a 4.9 MB input the size limit lets through): refused up front."""
    doc = sign_before_now(_with_alignments(900), KEY, cryptosuite=suite)
    doc["credentialSubject"]["achievement"]["alignment"].extend(
        _with_alignments(49_100)["credentialSubject"]["achievement"]["alignment"]
    )
    data = json.dumps(doc).encode()
    assert len(data) <= MAX_INPUT_BYTES
    [report] = verify_bytes(data, now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    assert "$.credentialSubject.achievement.alignment" in report.check("shape").message
    assert "too large" in report.check("shape").message


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_many_alignments_within_the_limit_verify_and_tampering_fails(suite, fetch):
    doc = sign_before_now(_with_alignments(900), KEY, cryptosuite=suite)
    [report] = verify_bytes(json.dumps(doc).encode(), now=NOW, fetch=fetch)
    assert report.verdict == "verified", report.to_json()["checks"]
    doc["credentialSubject"]["achievement"]["alignment"].pop()
    [report] = verify_bytes(json.dumps(doc).encode(), now=NOW, fetch=fetch)
    assert report.verdict == "failed"
    assert "does not match" in report.check("proof").message


# ---- 6. status -----------------------------------------------------------------------------
STATUS_URL = "https://status.example.edu/lists/1"


def _with_status(suite: str) -> bytes:
    doc = copy.deepcopy(BASE)
    doc["credentialStatus"] = {
        "id": f"{STATUS_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": STATUS_URL,
    }
    if suite == JWT:
        return vcjwt.sign_vc_jwt(doc, KEY).encode()
    return json.dumps(sign_before_now(doc, KEY, cryptosuite=suite)).encode()


@pytest.mark.parametrize("suite", SUITES)
def test_an_unfetchable_status_list_is_indeterminate(suite):
    data = _with_status(suite)
    with Fetcher(fixtures={}, transport=_NoNetwork()) as fetcher:
        [report] = verify_bytes(data, now=NOW, fetch=fetcher)
    status = report.check("status")
    assert report.verdict == "indeterminate", report.to_json()["checks"]
    assert status.status == "could_not_check"
    assert "could not" in status.message and STATUS_URL in status.message
    failed = [c.name for c in report.checks if c.status == "failed"]
    assert not failed


@pytest.mark.parametrize("body", [b"garbage", b"{}", json.dumps(SIGNED[JCS]).encode(), b"\xff\xfe"])
def test_an_unusable_status_list_is_indeterminate(body):
    """A status list that is fetched but is no status list never reads as 'not revoked'."""
    with Fetcher(fixtures={STATUS_URL: body}, transport=_NoNetwork()) as fetcher:
        [report] = verify_bytes(_with_status(JCS), now=NOW, fetch=fetcher)
    assert report.verdict in ("indeterminate", "failed"), report.to_json()["checks"]
    assert report.check("status").status in ("could_not_check", "failed")


def test_without_a_fetcher_the_status_is_indeterminate():
    [report] = verify_bytes(_with_status(RDFC), now=NOW)
    assert report.verdict == "indeterminate"
    assert report.check("status").status == "could_not_check"
