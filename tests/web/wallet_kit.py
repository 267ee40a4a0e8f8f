"""Shared by the wallet API, share page and claim tests: signed-in learners (a real session
cookie and the CSRF value from the account page) and credentials issued by the app."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from microcred.accounts import auth
from microcred.issuing import achievements, awards, orgs
from microcred.store.db import session_scope
from microcred.store.models import LearnerEmail
from microcred.vc import openbadges

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
ESCO_CPR = "http://data.europa.eu/esco/skill/cpr"
FIRST_AID = {
    "name": "Basic Life Support",
    "description": "Adult CPR and defibrillator use.",
    "criteria": "Pass the practical assessment.",
    "achievementType": "Certificate",
    "alignment": [
        {
            "targetName": "perform cardiopulmonary resuscitation",
            "targetUrl": ESCO_CPR,
            "targetFramework": "ESCO",
        }
    ],
    "validity": "P2Y",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Learner:
    """A signed-in TestClient, its learner's id and e-mail, and the CSRF header."""

    client: TestClient
    id: str
    email: str
    did: str
    csrf: str

    @property
    def h(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


def sign_in(
    app: Any,
    email: str,
    *,
    name: str = "Ann Example",
    verified: bool = True,
    client: TestClient | None = None,
) -> Learner:
    """A new account (verified e-mail unless told), a session started as sign-in does, its
    cookie on a TestClient (entered: close it with ``client.__exit__``), and the CSRF value
    read from the account page's form."""
    with session_scope(app.state.engine) as s:
        acct = auth.create_account(
            s,
            email=email,
            secret=app.state.issuing.secret,
            password=PASSWORD,
            display_name=name,
            verified=verified,
        )
        token = auth.start_session(s, acct)
        learner_id, did = acct.id, acct.did
    if client is None:
        client = TestClient(app)
        client.__enter__()
    client.cookies.set("mc_learner", token)
    page = client.get("/account")
    assert page.status_code == 200, page.text
    m = _CSRF.search(page.text)
    assert m, page.text
    return Learner(client, learner_id, email, did, m.group(1))


def add_verified_address(app: Any, learner_id: str, email: str) -> None:
    """Give the learner another address, verified (as its confirmation link would)."""
    with session_scope(app.state.engine) as s:
        s.add(LearnerEmail(learner_id=learner_id, email=email, verified_at=datetime.now(UTC)))


def to(email: str) -> dict[str, Any]:
    """What an OB 3.0 issuer names a recipient by: a hashed, salted e-mail identity."""
    return openbadges.identity_object(email, salt="wallet-kit")


def make_issuer(
    app: Any, achievement: dict[str, Any] | None = None, slug: str = "acme-college"
) -> tuple[str, str]:
    """(org slug, achievement id) of a new issuing organisation."""
    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, app.state.issuing, slug=slug, name="Acme College")
        ach = achievements.create_achievement(s, org, achievement or FIRST_AID)
        return org.slug, ach.id


def issue(
    app: Any, issuer: tuple[str, str], email: str, **kw: Any
) -> tuple[str, dict[str, Any], str]:
    """(credential id, document, claim token) of an award to ``email``."""
    with session_scope(app.state.engine) as s:
        org = orgs.get_organisation(s, issuer[0])
        ach = achievements.get_achievement(s, org, issuer[1])
        out = awards.issue_award(
            s,
            app.state.issuing,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email=email, name="Ann Example"),
            **kw,
        )
        return out.credential.id, out.credential.document, out.claim_token or ""
