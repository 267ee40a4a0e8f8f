"""The wallet's errors (all ``MicrocredError``: the web and the CLI map them in one place).

- ``WalletError`` (bad_input): what the learner gave cannot be used (a tag too long, ...).
- ``NotFound`` (not_found): no such row *of this learner*: another learner's id is
  indistinguishable from one that does not exist.
- ``CredentialRefused`` (refused): the verifier failed the credential; nothing was stored.
- ``NotYours`` (a ``CredentialRefused``): the credential was issued to someone else (its
  subject is not the learner's DID nor one of their verified addresses); nothing was stored.
- ``ClaimRefused`` (forbidden): the learner cannot claim an issued credential into their
  wallet (e-mail not verified, or not the recipient).
"""

from __future__ import annotations

from microcred.errors import MicrocredError


class WalletError(MicrocredError):
    code = "bad_input"


class NotFound(MicrocredError):
    code = "not_found"


class CredentialRefused(MicrocredError):
    code = "refused"


class NotYours(CredentialRefused):
    """Issued to someone else: refused like a credential that fails verification."""


class ClaimRefused(MicrocredError):
    code = "forbidden"
