"""The wallet's pages (issue 5): server-rendered, plain HTML forms that work without
JavaScript (``/static/wallet.js`` only adds drag and drop and small conveniences).

GET  /wallet                                  credentials: import, search, filters, sort,
                                              expiry warnings, each one's status (checked
                                              again on every view)
POST /wallet/import                           files (several), pasted text, or a URL
POST /wallet/recheck                          re-check credentials last checked over a day ago
GET  /wallet/credentials/{id}                 everything the verifier knows (checked again
                                              on every view, as the list is), to whom it
                                              was issued, and the forms:
POST /wallet/credentials/{id}/recheck           check again now
POST /wallet/credentials/{id}/tags              replace the tags
POST /wallet/credentials/{id}/note              set or clear the note
POST /wallet/credentials/{id}/collections       add to / remove from a collection
POST /wallet/credentials/{id}/share             a new share link (its URL shown once)
POST /wallet/credentials/{id}/delete            remove it (confirmation box required)
GET  /wallet/credentials/{id}/original          the credential as it was imported
GET  /wallet/collections, POST /wallet/collections        list, create
GET  /wallet/collections/{id}                 its credentials, and the forms:
POST /wallet/collections/{id}/rename, /delete, /items (add | remove), /share
GET  /wallet/shares, POST /wallet/shares/{id}/revoke      share links, their state, views
GET  /wallet/present, POST /wallet/present    a presentation signed by the learner's DID
POST /wallet/present/download                 the presentation just shown, as a file
GET  /wallet/timeline, GET /wallet/skills     issue and expiry dates; the skills profile
GET  /wallet/export                           ZIP of every credential + CLR 2.0 transcript

Every verification (import, re-check, every view) is made with this server's trust
registries (``TrustDep``), and every page showing a credential says who issued it first, in
plain words (its identity level: domain, registered or self-asserted).

Every page needs a signed-in learner; every POST the CSRF token (``LearnerPost``). An id
that is not the learner's answers the 404 page, exactly as one that does not exist. After a
POST the browser is sent back (303) with its messages in a short-lived signed cookie (bound
to the session) that the next page shows once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.responses import Response

from microcred.errors import MicrocredError
from microcred.issuing import sharing
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, ShareLink, WalletCredential
from microcred.vc.identity import IssuerIdentity, TrustRegistry
from microcred.wallet import export, holdings, organise, shares
from microcred.wallet.errors import NotFound, WalletError
from microcred.wallet.extract import achievement_of
from microcred.web import learner_auth as la
from microcred.web.deps import FetchDep, TrustDep
from microcred.web.templating import render

router = APIRouter(include_in_schema=False)

STATE_LABELS = {
    "verified": "Verified",
    "indeterminate": "Could not check",
    "expired": "Expired",
    "revoked": "Revoked",
    "suspended": "Suspended",
    "failed": "Failed",
}
CHECK_LABELS = {
    "format": "Format",
    "context": "Vocabulary (JSON-LD context)",
    "shape": "Required fields",
    "proof": "Signature",
    "key": "Signing key",
    "issuer": "Issuer",
    "not_yet_valid": "Valid from",
    "expiry": "Expiry",
    "status": "Revocation status",
}
SORT_LABELS = {"date": "Issue date", "issuer": "Issuer", "skill": "Skill", "name": "Name"}
EXPIRING_DAYS = 60
FLASH_COOKIE = "mc_wallet_flash"
FLASH_COOKIE_HTTPS = "__Host-mc_wallet_flash"
FLASH_MAX = 3000  # characters of the cookie's value (browsers keep 4,096 per cookie)
FLASH_SECONDS = 120
_FLASH_INFO = b"microcred wallet flash v1"
ACCEPT_FILES = (
    ".json,.jsonld,.jsonl,.jwt,.png,.svg,.txt,application/json,application/ld+json,"
    "image/png,image/svg+xml,text/plain"
)
MAX_FILES = 20

Text = Annotated[str, Form(max_length=2000)]
LongText = Annotated[str, Form(max_length=5000)]
Ids = Annotated[list[str] | None, Form(max_length=100)]


# ---- small helpers ------------------------------------------------------------------------
def _engine(request: Request) -> Any:
    return request.app.state.engine


def _ctx(request: Request) -> Any:
    return request.app.state.issuing


def _base_url(request: Request) -> str:
    base: str = request.app.state.issuing.base_url
    return base.rstrip("/")


def _me(s: Session, learner: LearnerAccount) -> LearnerAccount:
    me = s.get(LearnerAccount, learner.id)
    if me is None:
        raise la.SignInRequired()
    return me


def http_url(value: Any) -> str | None:
    """``value`` when it is an http(s) URL (the only URLs that become links), else None."""
    if not isinstance(value, str) or len(value) > 2000:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in value):
        return value
    return None


def safe_image(value: Any) -> str | None:
    """A badge image the page may show: a data:image URI or an https URL (the browser loads
    it, with no referrer; the server never fetches it)."""
    src = value.get("id") if isinstance(value, dict) else value
    if isinstance(src, str) and (
        src.startswith("data:image/") or (src.startswith("https://") and http_url(src))
    ):
        return src
    return None


def day(t: datetime | None) -> str:
    return holdings.utc(t).strftime("%d %B %Y").lstrip("0") if t is not None else "—"


def moment(t: datetime | None) -> str:
    return holdings.utc(t).strftime("%d %B %Y, %H:%M UTC").lstrip("0") if t is not None else "—"


def iso(t: datetime | None) -> str:
    return holdings.utc(t).isoformat() if t is not None else ""


# ---- flash messages -------------------------------------------------------------------------
@dataclass
class Flash:
    """A message shown once on the next page: ``kind`` created | duplicate | refused |
    done | error | share; ``link`` a path of this site (or, for share, the new URL)."""

    kind: str
    text: str
    link: str | None = None


def _flash_cookie(request: Request) -> str:
    return FLASH_COOKIE_HTTPS if la.is_https(request) else FLASH_COOKIE


def _flash_mac(request: Request, payload: str) -> str:
    secret: bytes = _ctx(request).secret
    key = hmac.new(secret, _FLASH_INFO, hashlib.sha256).digest()
    bound = f"{la.session_token(request) or ''}\n{payload}".encode()
    return hmac.new(key, bound, hashlib.sha256).hexdigest()


def _encode_flash(request: Request, flashes: list[Flash]) -> str:
    items = [[f.kind, f.text[:400], f.link] for f in flashes]
    dropped = 0
    while True:
        shown = items + ([["error", f"… and {dropped} more messages", None]] if dropped else [])
        raw = json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        value = f"{payload}.{_flash_mac(request, payload)}"
        if len(value) <= FLASH_MAX or not items:
            return value
        items.pop()
        dropped += 1


def _read_flash(request: Request) -> list[Flash]:
    value = request.cookies.get(_flash_cookie(request))
    if not value or len(value) > FLASH_MAX + 200 or "." not in value:
        return []
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(_flash_mac(request, payload).encode(), mac.encode()):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return []
    out: list[Flash] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list) and len(item) == 3:
            kind, text, link = item
            if isinstance(kind, str) and isinstance(text, str):
                out.append(Flash(kind, text, link if isinstance(link, str) else None))
    return out


def back_to(request: Request, path: str, flashes: list[Flash] | None = None) -> Response:
    """303 to ``path`` (of this site), carrying ``flashes`` for the next page."""
    response = la.see_other(la.safe_next(path, "/wallet"))
    if flashes:
        response.set_cookie(
            _flash_cookie(request),
            _encode_flash(request, flashes),
            max_age=FLASH_SECONDS,
            path="/",
            httponly=True,
            samesite="lax",
            secure=la.is_https(request),
        )
    return response


# ---- pages ----------------------------------------------------------------------------------
def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A wallet page: the flash messages shown (and dropped), never cached, sending its
    Origin with its forms."""
    flashes = _read_flash(request)
    response = render(
        request,
        template,
        status,
        flashes=flashes,
        state_labels=STATE_LABELS,
        day=day,
        moment=moment,
        iso=iso,
        **context,
    )
    response.headers.update(la.PAGE_HEADERS)
    if _flash_cookie(request) in request.cookies:
        response.delete_cookie(
            _flash_cookie(request),
            path="/",
            httponly=True,
            samesite="lax",
            secure=la.is_https(request),
        )
    return response


def error_page(request: Request, status: int, detail: str) -> Response:
    title = {404: "Not Found", 400: "Bad Request"}.get(status, "Error")
    response = render(request, "error.html", status, title=title, status=status, detail=detail)
    response.headers.update(la.PAGE_HEADERS)
    return response


def not_found(request: Request, exc: NotFound) -> Response:
    return error_page(request, 404, exc.user_message[:1].upper() + exc.user_message[1:] + ".")


Action = Callable[[Session, LearnerAccount], "list[Flash] | Flash | str | None"]


def act(request: Request, learner: LearnerAccount, back: str, action: Action) -> Response:
    """Run ``action`` in one transaction and go back to ``back`` with its messages: a
    NotFound is the 404 page, any other refusal a message (nothing is changed). An action
    may answer a path to go to instead."""
    try:
        with session_scope(_engine(request)) as s:
            result = action(s, _me(s, learner))
    except NotFound as exc:
        return not_found(request, exc)
    except MicrocredError as exc:
        return back_to(request, back, [Flash("error", _sentence(exc.user_message))])
    if isinstance(result, str):
        return back_to(request, result)
    if isinstance(result, Flash):
        return back_to(request, back, [result])
    return back_to(request, back, result)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) if text else text


@dataclass
class Card:
    """A credential as a list shows it; ``fresh`` False when this view did not check it
    again (a very large wallet: past the time budget) and its last check is shown."""

    row: WalletCredential
    status: holdings.Status
    image: str | None
    fresh: bool = True
    #: who issued it, as the last check established (shown first, in plain words)
    identity: IssuerIdentity | None = None


def card(row: WalletCredential, now: datetime, checked: set[str] | None = None) -> Card:
    summary = row.report.get("credential") if isinstance(row.report, dict) else None
    image = safe_image(summary.get("image")) if isinstance(summary, dict) else None
    fresh = checked is None or row.id in checked
    return Card(row, holdings.status_of(row, now), image, fresh, holdings.identity_of(row))


def recheck_view(
    request: Request,
    learner: LearnerAccount,
    rows: list[WalletCredential],
    fetch: Any,
    trust: TrustRegistry | None,
) -> set[str]:
    """Every view checks its credentials again (a credential suspended a second ago shows
    so), with the trust registries (who issued it, and a registered issuer's name on
    someone else's credential fails): verified outside any transaction, then stored in a
    short write. The ids checked."""
    return holdings.check_and_store(_engine(request), learner, rows, fetch=fetch, trust=trust)


def _status_flash(row: WalletCredential, status: holdings.Status, created: bool) -> Flash:
    label = STATE_LABELS.get(status.state, status.state).lower()
    link = f"/wallet/credentials/{row.id}"
    if not created:
        return Flash("duplicate", f"“{row.name}” is already in your wallet ({label}).", link)
    why = f": {status.reason}" if status.reason else ""
    return Flash("created", f"Added “{row.name}” ({label}{why}).", link)


# ---- the wallet -----------------------------------------------------------------------------
def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("/wallet", name="wallet_page")
def wallet_page(
    request: Request,
    learner: la.LearnerDep,
    fetch: FetchDep,
    trust: TrustDep,
    q: str | None = None,
    tag: str | None = None,
    collection: str | None = None,
    issuer: str | None = None,
    skill: str | None = None,
    sort: str = "date",
    order: str | None = None,
) -> Response:
    now = datetime.now(UTC)
    order = order if order in ("asc", "desc") else None
    sort = sort if sort in organise.SORTS else "date"
    filters = {
        "q": _blank(q),
        "tag": _blank(tag),
        "collection": _blank(collection),
        "issuer": _blank(issuer),
        "skill": _blank(skill),
    }
    try:
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            try:
                rows = organise.list_credentials(s, me, sort=sort, order=order, **filters)
                problem = None
            except WalletError as exc:
                rows, problem = [], _sentence(exc.user_message)
        checked = recheck_view(request, me, rows, fetch, trust)
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            everything = holdings.all_credentials(s, me)
            issuers = sorted(
                {(r.issuer_id or "", r.issuer_name or r.issuer_id or "") for r in everything},
                key=lambda t: t[1].casefold(),
            )
            skill_labels = sorted(
                {
                    str(k.get("label"))
                    for r in everything
                    for k in r.skills
                    if isinstance(k, dict) and k.get("label")
                },
                key=str.casefold,
            )
            return page(
                request,
                "wallet.html",
                learner=me,
                cards=[card(r, now, checked) for r in rows],
                total=len(everything),
                filters=filters,
                filtered=any(filters.values()),
                sort=sort,
                order=order or "",
                sorts=SORT_LABELS,
                tags=organise.all_tags(s, me),
                collections=organise.list_collections(s, me),
                issuers=[i for i in issuers if i[0]],
                skills=skill_labels,
                expiring=[
                    (e, http_url(e.renewal_url))
                    for e in organise.expiring(s, me, EXPIRING_DAYS, now=now)
                ],
                expiring_days=EXPIRING_DAYS,
                problem=problem,
                accept=ACCEPT_FILES,
            )
    except NotFound as exc:
        return not_found(request, exc)


@router.post("/wallet/import")
async def wallet_import(
    request: Request, learner: la.LearnerPost, fetch: FetchDep, trust: TrustDep
) -> Response:
    """Several files, pasted text and a URL at once: each input is imported on its own (all
    of its credentials or none), with one message per credential or refusal."""
    form = await request.form()  # read already by the CSRF check (and kept)
    inputs: list[tuple[str, bytes]] = []
    try:
        for part in form.getlist("file"):
            if isinstance(part, StarletteUpload) and (part.filename or part.size):
                inputs.append(((part.filename or "file")[:200], await part.read()))
        text = form.get("text")
        url = form.get("url")
    finally:
        await form.close()
    return await run_in_threadpool(
        _import,
        request,
        learner,
        fetch,
        trust,
        inputs,
        text if isinstance(text, str) else "",
        url if isinstance(url, str) else "",
    )


def _import(
    request: Request,
    learner: LearnerAccount,
    fetch: Any,
    trust: TrustRegistry,
    inputs: list[tuple[str, bytes]],
    text: str,
    url: str,
) -> Response:
    flashes: list[Flash] = []
    if len(inputs) > MAX_FILES:
        flashes.append(
            Flash("error", f"Import at most {MAX_FILES} files at a time: the first were taken.")
        )
        inputs = inputs[:MAX_FILES]
    if text.strip():
        inputs.append(("pasted text", text.encode("utf-8")))
    targets: list[tuple[str, bytes | None]] = [(n, d) for n, d in inputs]
    if url.strip():
        targets.append((url.strip()[:2000], None))
    if not targets:
        return back_to(
            request,
            "/wallet",
            [Flash("error", "Choose a file, paste a credential or give its link first.")],
        )
    for name, data in targets:
        try:
            with session_scope(_engine(request)) as s:
                me = _me(s, learner)
                if data is None:
                    results = holdings.import_url(s, me, name, fetch=fetch, trust=trust)
                else:
                    results = holdings.import_credentials(
                        s, me, data, source=name, fetch=fetch, trust=trust
                    )
                now = datetime.now(UTC)
                for r in results:
                    st = holdings.status_of(r.credential, now)
                    flashes.append(_status_flash(r.credential, st, r.created))
        except MicrocredError as exc:
            message = exc.user_message
            if not message.startswith(name):
                message = f"{name}: {message}"
            flashes.append(Flash("refused", f"Not added: {message}"))
    return back_to(request, "/wallet", flashes)


@router.post("/wallet/recheck")
def wallet_recheck(
    request: Request, learner: la.LearnerPost, fetch: FetchDep, trust: TrustDep
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        n = holdings.recheck_stale(s, me, fetch=fetch, trust=trust)
        if not n:
            return Flash("done", "Every credential was checked within the last day.")
        return Flash("done", f"Checked {n} credential{'s' * (n != 1)} again.")

    return act(request, learner, "/wallet", run)


# ---- one credential -------------------------------------------------------------------------
def linkedin_url(request: Request, row: WalletCredential, status: holdings.Status) -> str | None:
    """LinkedIn's "Add to profile" link, offered only while the credential verifies: for
    ours, to its public page; for others, built from the credential's name, issuer and
    dates (its id as the certificate URL when that is a web address)."""
    if status.state != "verified":
        return None
    organisation = row.issuer_name or row.issuer_id
    if not organisation:
        return None
    issued = row.valid_from or row.added_at
    if row.issued_credential_id:
        cert_url = f"{_base_url(request)}/credentials/{row.issued_credential_id}"
        cert_id = row.issued_credential_id
    else:
        cert_url = http_url(row.credential_id) or http_url(row.source) or ""
        cert_id = row.credential_id or row.id
    link = sharing.linkedin_add_url(
        name=row.name,
        organization_name=organisation,
        issued=holdings.utc(issued),
        expires=holdings.utc(row.valid_until) if row.valid_until else None,
        cert_url=cert_url,
        cert_id=cert_id,
    )
    if not cert_url:  # no web address to point to: leave the parameter out
        base, _, query = link.partition("?")
        kept = [(k, v) for k, v in parse_qsl(query) if k != "certUrl"]
        link = f"{base}?{urlencode(kept, quote_via=quote)}"
    return link


def _checks(row: WalletCredential) -> list[dict[str, str]]:
    out = []
    for c in row.report.get("checks") or []:
        if isinstance(c, dict):
            name = str(c.get("name") or "")
            out.append(
                {
                    "name": name,
                    "label": CHECK_LABELS.get(name, name),
                    "status": str(c.get("status") or ""),
                    "status_label": str(c.get("status") or "").replace("_", " "),
                    "message": str(c.get("message") or ""),
                }
            )
    return out


def _skills(row: WalletCredential) -> list[dict[str, Any]]:
    return [
        {
            "label": str(k.get("label") or k.get("uri") or ""),
            "framework": k.get("framework") if isinstance(k.get("framework"), str) else None,
            "uri": k.get("uri") if isinstance(k.get("uri"), str) else None,
            "link": http_url(k.get("uri")),
        }
        for k in row.skills
        if isinstance(k, dict)
    ]


def _share_view(
    rows: list[ShareLink], names: dict[tuple[str, str], str], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "row": r,
            "state": shares.share_state(r, now),
            "target": names.get((r.target_kind, r.target_id), "(removed)"),
        }
        for r in rows
    ]


@router.get("/wallet/credentials/{credential_id}", name="wallet_credential")
def credential_page(
    request: Request, learner: la.LearnerDep, fetch: FetchDep, trust: TrustDep, credential_id: str
) -> Response:
    try:
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            row = holdings.get_credential(s, me, credential_id)
        # verified again on every view (as the API and the share page do): it may have been
        # revoked or suspended a second ago
        checked = recheck_view(request, me, [row], fetch, trust)
        now = datetime.now(UTC)
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            row = holdings.get_credential(s, me, credential_id)
            c = card(row, now, checked)
            binding = holdings.Holder.of(s, me).match(row.document)
            summary = row.report.get("credential") or {}
            ach = achievement_of(row.document) or {}
            member_of = organise.collections_of(s, me, row.id)
            member_ids = {m.id for m in member_of}
            issued_links = None
            if row.issued_credential_id:
                base = f"/credentials/{row.issued_credential_id}"
                issued_links = {
                    "page": base,
                    "png": f"{base}.png",
                    "svg": f"{base}.svg",
                    "pdf": f"{base}.pdf",
                }
            return page(
                request,
                "wallet_credential.html",
                c=c,
                row=row,
                binding=binding,
                summary=summary if isinstance(summary, dict) else {},
                facts=sharing.achievement_facts(ach),
                checks=_checks(row),
                conformance=holdings.conformance_of(row),
                warnings=[str(w) for w in row.report.get("warnings") or []],
                skills=_skills(row),
                issuer_link=http_url(row.issuer_id),
                source_link=http_url(row.source),
                renewal_link=http_url(row.renewal_url),
                linkedin=linkedin_url(request, row, c.status),
                issued_links=issued_links,
                member_of=member_of,
                other_collections=[
                    x.collection
                    for x in organise.list_collections(s, me)
                    if x.collection.id not in member_ids
                ],
                shares=_share_view(
                    shares.list_shares(s, me, target_kind="credential", target_id=row.id),
                    {("credential", row.id): row.name},
                    now,
                ),
                file_name=export.file_name(row).rsplit("/", 1)[-1],
            )
    except NotFound as exc:
        return not_found(request, exc)


def _detail(credential_id: str) -> str:
    return f"/wallet/credentials/{credential_id}"


@router.post("/wallet/credentials/{credential_id}/recheck")
def credential_recheck(
    request: Request, learner: la.LearnerPost, fetch: FetchDep, trust: TrustDep, credential_id: str
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        row = holdings.get_credential(s, me, credential_id)
        st = holdings.recheck(s, me, row, fetch=fetch, force=True, trust=trust)
        why = f": {st.reason}" if st.reason else ""
        return Flash("done", f"Checked again: {STATE_LABELS.get(st.state, st.state)}{why}.")

    return act(request, learner, _detail(credential_id), run)


@router.post("/wallet/credentials/{credential_id}/tags")
def credential_tags(
    request: Request,
    learner: la.LearnerPost,
    credential_id: str,
    tags: Text = "",
    remove: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        if remove:
            organise.remove_tag(s, me, credential_id, remove)
            return Flash("done", f"Tag “{remove}” removed.")
        wanted = [t for t in tags.split(",") if t.strip()]
        saved = organise.set_tags(s, me, credential_id, wanted)
        return Flash("done", "Tags saved: " + (", ".join(saved) if saved else "none") + ".")

    return act(request, learner, _detail(credential_id), run)


@router.post("/wallet/credentials/{credential_id}/note")
def credential_note(
    request: Request, learner: la.LearnerPost, credential_id: str, note: LongText = ""
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        saved = organise.set_note(s, me, credential_id, note)
        return Flash("done", "Note saved." if saved else "Note cleared.")

    return act(request, learner, _detail(credential_id), run)


@router.post("/wallet/credentials/{credential_id}/collections")
def credential_collections(
    request: Request,
    learner: la.LearnerPost,
    credential_id: str,
    collection: Annotated[str, Form(max_length=100)] = "",
    action: Annotated[str, Form(max_length=20)] = "add",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        coll = organise.get_collection(s, me, collection)
        if action == "remove":
            organise.remove_from_collection(s, me, coll.id, [credential_id])
            return Flash("done", f"Taken out of “{coll.name}”.", f"/wallet/collections/{coll.id}")
        organise.add_to_collection(s, me, coll.id, [credential_id])
        return Flash("done", f"Added to “{coll.name}”.", f"/wallet/collections/{coll.id}")

    return act(request, learner, _detail(credential_id), run)


def _expiry(value: str) -> datetime | None:
    """A share link's last day (``YYYY-MM-DD``): it works until the end of that day, UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        last = date.fromisoformat(value)
    except ValueError:
        raise WalletError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return datetime.combine(last, time(23, 59, 59), UTC)


def _share(
    request: Request,
    learner: LearnerAccount,
    kind: str,
    target_id: str,
    back: str,
    *,
    expires: str,
    show_name: str,
    show_email: str,
    label: str,
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        row, token = shares.create_share(
            s,
            me,
            kind,
            target_id,
            expires_at=_expiry(expires),
            show_name=show_name == "yes",
            show_email=show_email == "yes",
            label=label,
        )
        until = f" until {day(row.expires_at)}" if row.expires_at else ""
        return Flash(
            "share",
            f"Your share link{until}. Copy it now: it is shown only this once.",
            f"{_base_url(request)}/s/{token}",
        )

    return act(request, learner, back, run)


@router.post("/wallet/credentials/{credential_id}/share")
def credential_share(
    request: Request,
    learner: la.LearnerPost,
    credential_id: str,
    expires: Annotated[str, Form(max_length=40)] = "",
    show_name: Annotated[str, Form(max_length=10)] = "",
    show_email: Annotated[str, Form(max_length=10)] = "",
    label: Text = "",
) -> Response:
    return _share(
        request,
        learner,
        "credential",
        credential_id,
        _detail(credential_id),
        expires=expires,
        show_name=show_name,
        show_email=show_email,
        label=label,
    )


@router.post("/wallet/credentials/{credential_id}/delete")
def credential_delete(
    request: Request,
    learner: la.LearnerPost,
    credential_id: str,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        row = holdings.get_credential(s, me, credential_id)
        if confirm != "yes":
            raise WalletError("tick the box to confirm that the credential should be removed")
        name = row.name
        holdings.delete_credential(s, me, row.id)
        return Flash("done", f"“{name}” was removed from your wallet.")

    if confirm != "yes":
        return act(request, learner, _detail(credential_id), run)
    return act(request, learner, "/wallet", run)


@router.get("/wallet/credentials/{credential_id}/original", name="wallet_original")
def credential_original(request: Request, learner: la.LearnerDep, credential_id: str) -> Response:
    try:
        with session_scope(_engine(request)) as s:
            row = holdings.get_credential(s, _me(s, learner), credential_id)
            body, media, name = row.original, row.media_type, export.file_name(row)
    except NotFound as exc:
        return not_found(request, exc)
    return Response(
        body,
        media_type=media,
        headers={
            **la.NO_STORE,
            "Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


# ---- collections ----------------------------------------------------------------------------
@router.get("/wallet/collections", name="wallet_collections")
def collections_page(request: Request, learner: la.LearnerDep) -> Response:
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        return page(
            request,
            "wallet_collections.html",
            collections=organise.list_collections(s, me),
            max_name=organise.MAX_COLLECTION_NAME,
        )


@router.post("/wallet/collections")
def collection_create(
    request: Request, learner: la.LearnerPost, name: Text = "", description: LongText = ""
) -> Response:
    def run(s: Session, me: LearnerAccount) -> str:
        coll = organise.create_collection(s, me, name, description=description)
        return f"/wallet/collections/{coll.id}"

    return act(request, learner, "/wallet/collections", run)


def _collection_path(collection_id: str) -> str:
    return f"/wallet/collections/{collection_id}"


@router.get("/wallet/collections/{collection_id}", name="wallet_collection")
def collection_page(
    request: Request, learner: la.LearnerDep, fetch: FetchDep, trust: TrustDep, collection_id: str
) -> Response:
    now = datetime.now(UTC)
    try:
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            coll = organise.get_collection(s, me, collection_id)
            rows = organise.collection_credentials(s, me, coll.id)
        checked = recheck_view(request, me, rows, fetch, trust)
        with session_scope(_engine(request)) as s:
            me = _me(s, learner)
            inside = {r.id for r in rows}
            return page(
                request,
                "wallet_collection.html",
                coll=coll,
                cards=[card(r, now, checked) for r in rows],
                others=[r for r in holdings.all_credentials(s, me) if r.id not in inside],
                shares=_share_view(
                    shares.list_shares(s, me, target_kind="collection", target_id=coll.id),
                    {("collection", coll.id): coll.name},
                    now,
                ),
                max_name=organise.MAX_COLLECTION_NAME,
            )
    except NotFound as exc:
        return not_found(request, exc)


@router.post("/wallet/collections/{collection_id}/rename")
def collection_rename(
    request: Request,
    learner: la.LearnerPost,
    collection_id: str,
    name: Text = "",
    description: LongText = "",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        coll = organise.rename_collection(s, me, collection_id, name, description=description)
        return Flash("done", f"Saved as “{coll.name}”.")

    return act(request, learner, _collection_path(collection_id), run)


@router.post("/wallet/collections/{collection_id}/delete")
def collection_delete(
    request: Request,
    learner: la.LearnerPost,
    collection_id: str,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        coll = organise.get_collection(s, me, collection_id)
        if confirm != "yes":
            raise WalletError("tick the box to confirm that the collection should be deleted")
        name = coll.name
        organise.delete_collection(s, me, coll.id)
        return Flash("done", f"Collection “{name}” deleted; its credentials stay in your wallet.")

    back = "/wallet/collections" if confirm == "yes" else _collection_path(collection_id)
    return act(request, learner, back, run)


@router.post("/wallet/collections/{collection_id}/items")
def collection_items(
    request: Request,
    learner: la.LearnerPost,
    collection_id: str,
    credential: Ids = None,
    action: Annotated[str, Form(max_length=20)] = "add",
) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        ids = [c for c in credential or [] if c]
        coll = organise.get_collection(s, me, collection_id)
        if not ids:
            raise WalletError("choose at least one credential")
        if action == "remove":
            n = organise.remove_from_collection(s, me, coll.id, ids)
            return Flash("done", f"Took {n} credential{'s' * (n != 1)} out of “{coll.name}”.")
        n = organise.add_to_collection(s, me, coll.id, ids)
        return Flash("done", f"Added {n} credential{'s' * (n != 1)} to “{coll.name}”.")

    return act(request, learner, _collection_path(collection_id), run)


@router.post("/wallet/collections/{collection_id}/share")
def collection_share(
    request: Request,
    learner: la.LearnerPost,
    collection_id: str,
    expires: Annotated[str, Form(max_length=40)] = "",
    show_name: Annotated[str, Form(max_length=10)] = "",
    show_email: Annotated[str, Form(max_length=10)] = "",
    label: Text = "",
) -> Response:
    return _share(
        request,
        learner,
        "collection",
        collection_id,
        _collection_path(collection_id),
        expires=expires,
        show_name=show_name,
        show_email=show_email,
        label=label,
    )


# ---- share links ----------------------------------------------------------------------------
@router.get("/wallet/shares", name="wallet_shares")
def shares_page(request: Request, learner: la.LearnerDep) -> Response:
    now = datetime.now(UTC)
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        names: dict[tuple[str, str], str] = {
            ("credential", r.id): r.name for r in holdings.all_credentials(s, me)
        }
        for c in organise.list_collections(s, me):
            names[("collection", c.collection.id)] = c.collection.name
        return page(
            request,
            "wallet_shares.html",
            shares=_share_view(shares.list_shares(s, me), names, now),
        )


@router.post("/wallet/shares/{share_id}/revoke")
def share_revoke(request: Request, learner: la.LearnerPost, share_id: str) -> Response:
    def run(s: Session, me: LearnerAccount) -> Flash:
        row = shares.revoke_share(s, me, share_id)
        return Flash("done", f"Share link “{row.label or 'without a label'}” revoked.")

    return act(request, learner, "/wallet/shares", run)


# ---- presentations --------------------------------------------------------------------------
def _present_page(
    request: Request,
    learner: LearnerAccount,
    fetch: Any,
    trust: TrustRegistry,
    status: int = 200,
    *,
    chosen: list[str] | None = None,
    challenge: str = "",
    domain: str = "",
    expires: str = "",
    vp: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        rows = holdings.all_credentials(s, me)
    checked = recheck_view(request, me, rows, fetch, trust)  # what is presented is what is now
    now = datetime.now(UTC)
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        holder = holdings.Holder.of(s, me)
        return page(
            request,
            "wallet_present.html",
            status,
            cards=[card(r, now, checked) for r in rows],
            bindings={r.id: holder.match(r.document) for r in rows},
            chosen=set(chosen or []),
            challenge=challenge,
            domain=domain,
            expires=expires,
            vp_json=json.dumps(vp, indent=2, ensure_ascii=False) if vp is not None else None,
            error=error,
            did=me.did,
        )


@router.get("/wallet/present", name="wallet_present")
def present_page(
    request: Request,
    learner: la.LearnerDep,
    fetch: FetchDep,
    trust: TrustDep,
    credential: str | None = None,
) -> Response:
    chosen = [credential] if credential else None
    return _present_page(request, learner, fetch, trust, chosen=chosen)


def _vp_expiry(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise WalletError(f"{value!r} is not a date and time") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


@router.post("/wallet/present")
def present_submit(
    request: Request,
    learner: la.LearnerPost,
    fetch: FetchDep,
    trust: TrustDep,
    credential: Ids = None,
    challenge: Text = "",
    domain: Text = "",
    expires: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    ids = [c for c in credential or [] if c]
    again: dict[str, Any] = {
        "chosen": ids,
        "challenge": challenge,
        "domain": domain,
        "expires": expires,
    }
    try:
        with session_scope(_engine(request)) as s:
            vp = export.present(
                s,
                _me(s, learner),
                ids,
                challenge=challenge.strip(),
                domain=domain.strip(),
                secret=_ctx(request).secret,
                expires=_vp_expiry(expires),
            )
    except NotFound as exc:
        return not_found(request, exc)
    except MicrocredError as exc:
        return _present_page(
            request, learner, fetch, trust, 400, error=_sentence(exc.user_message), **again
        )
    return _present_page(request, learner, fetch, trust, vp=vp, **again)


@router.post("/wallet/present/download")
def present_download(
    request: Request, learner: la.LearnerPost, vp: Annotated[str, Form()] = ""
) -> Response:
    """The presentation the page just showed, as a file (what the learner sends on)."""
    try:
        doc = json.loads(vp)
    except ValueError:
        doc = None
    types = doc.get("type") if isinstance(doc, dict) else None
    if not isinstance(types, list | str) or "VerifiablePresentation" not in types:
        return error_page(request, 400, "This is not a presentation: sign one first.")
    return Response(
        json.dumps(doc, indent=2, ensure_ascii=False),
        media_type="application/vp+ld+json",
        headers={**la.NO_STORE, "Content-Disposition": 'attachment; filename="presentation.json"'},
    )


# ---- timeline, skills, export ---------------------------------------------------------------
@router.get("/wallet/timeline", name="wallet_timeline")
def timeline_page(request: Request, learner: la.LearnerDep) -> Response:
    now = datetime.now(UTC)
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        events = organise.timeline(s, me, now=now)
        years: list[tuple[int, list[organise.TimelineEvent]]] = []
        for event in events:
            if not years or years[-1][0] != event.at.year:
                years.append((event.at.year, []))
            years[-1][1].append(event)
        return page(request, "wallet_timeline.html", years=years, now=now)


@router.get("/wallet/skills", name="wallet_skills")
def skills_page(request: Request, learner: la.LearnerDep) -> Response:
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        entries = organise.skills_profile(s, me)
        names = {r.id: r.name for r in holdings.all_credentials(s, me)}
        labels = [e.label.replace(",", " ").replace(";", " ") for e in entries]
        advisor = "/advisor?" + urlencode({"have": ", ".join(labels)}) if labels else None
        return page(
            request,
            "wallet_skills.html",
            entries=[
                {"entry": e, "link": http_url(e.uri), "credentials": e.credentials} for e in entries
            ],
            names=names,
            advisor=advisor,
        )


@router.get("/wallet/export", name="wallet_export")
def export_download(request: Request, learner: la.LearnerDep) -> Response:
    now = datetime.now(UTC)
    with session_scope(_engine(request)) as s:
        me = _me(s, learner)
        body = export.export_zip(s, me, signer=export.platform_signer(s, _ctx(request)), now=now)
    return Response(
        body,
        media_type="application/zip",
        headers={
            **la.NO_STORE,
            "Content-Disposition": f'attachment; filename="wallet-{now:%Y-%m-%d}.zip"',
        },
    )
