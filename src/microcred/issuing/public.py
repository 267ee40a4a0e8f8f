"""What an organisation publishes: its DID document, profile, status lists, and each
credential's public view. Read-side services for the web app (no web imports here).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microcred.errors import MicrocredError
from microcred.issuing import awards, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import Credential, Event, Organisation
from microcred.vc.errors import FetchFailed
from microcred.vc.identity import TrustRegistry
from microcred.vc.report import Report
from microcred.vc.verifier import Fetch, verify_credential

_STATUS_PATH = re.compile(r"^/orgs/([a-z0-9-]+)/status/(revocation|suspension)/(\d+)$")
_DID_PATH = re.compile(r"^/orgs/([a-z0-9-]+)/did\.json$")


def local_document(session: Session, ctx: IssuingContext, url: str) -> bytes | None:
    """This deployment's own documents (status lists, DID documents) answered from the
    database; None for any other URL."""
    if not url.startswith(ctx.base_url + "/"):
        return None
    path = url[len(ctx.base_url) :].split("?", 1)[0]
    try:
        if m := _STATUS_PATH.match(path):
            org = orgs.get_organisation(session, m.group(1))
            doc, _ = status.list_credential(session, ctx, org, m.group(2), int(m.group(3)))
            return json.dumps(doc).encode()
        if m := _DID_PATH.match(path):
            org = orgs.get_organisation(session, m.group(1))
            return json.dumps(orgs.did_document(session, ctx, org)).encode()
    except MicrocredError as exc:
        raise FetchFailed(f"{url}: {exc.user_message}") from None
    return None


class LocalFirstFetch:
    """A ``Fetch`` that answers this deployment's URLs from its database and sends every
    other URL to the guarded fetcher."""

    def __init__(self, engine: Engine, ctx: IssuingContext, fallback: Fetch | None):
        self.engine, self.ctx, self.fallback = engine, ctx, fallback

    def __call__(self, url: str, *, accept: str | None = None) -> bytes:
        with session_scope(self.engine) as session:
            local = local_document(session, self.ctx, url)
        if local is not None:
            return local
        if self.fallback is None:
            raise FetchFailed(f"{url} is not fetched here")
        return self.fallback(url, accept=accept)


@dataclass
class CredentialView:
    credential: Credential
    org: Organisation
    report: Report
    page_url: str

    @property
    def document(self) -> dict[str, Any]:
        return self.credential.document

    @property
    def achievement(self) -> dict[str, Any]:
        subject = self.document.get("credentialSubject") or {}
        ach = subject.get("achievement") if isinstance(subject, dict) else None
        return ach if isinstance(ach, dict) else {}

    @property
    def verified(self) -> bool:
        return self.report.verdict == "verified"

    @property
    def recipient_name(self) -> str | None:
        return self.credential.recipient_name if self.credential.show_recipient else None


def credential_view(
    session: Session,
    ctx: IssuingContext,
    credential_id: str,
    *,
    fetch: Fetch,
    count_view: bool = True,
    trust: TrustRegistry | None = None,
) -> CredentialView:
    """A credential's public view with its live verification. Raises MicrocredError
    (not_found)."""
    cred = awards.get_credential(session, credential_id)
    org = session.get(Organisation, cred.org_id)
    assert org is not None
    report = verify_credential(cred.document, fetch=fetch, now=datetime.now(UTC), trust=trust)
    if count_view:
        session.add(Event(org_id=org.id, credential_id=cred.id, kind="viewed"))
    return CredentialView(cred, org, report, f"{ctx.base_url}/credentials/{cred.id}")


def record_verifications(engine: Engine, ctx: IssuingContext, reports: list[Report]) -> int:
    """Count a "verified" event for each verified report of a credential issued here (the
    dashboard shows how often an organisation's credentials are checked)."""
    prefix = f"{ctx.base_url}/credentials/"
    ids = [
        r.credential.id[len(prefix) :]
        for r in reports
        if r.verdict == "verified" and r.credential.id and r.credential.id.startswith(prefix)
    ]
    if not ids:
        return 0
    n = 0
    with session_scope(engine) as session:
        for cred_id in ids:
            cred = session.get(Credential, cred_id)
            if cred is not None:
                session.add(Event(org_id=cred.org_id, credential_id=cred.id, kind="verified"))
                n += 1
    return n
