"""Errors of the standards core.

- ``VCError``: base of everything below.
- ``ContextError``: a JSON-LD context is not bundled (the loader never fetches) or is malformed.
- ``ExpansionError``: strict expansion found an undefined term or type, or JSON-LD processing
  failed.
- ``CanonicalizationError``: RDFC-1.0 refused the input (too much blank-node work: a DoS shape).
- ``KeyError_``: a key or key file is malformed. (Named ``KeyFormatError``.)
- ``ResolutionError``: a verification method / DID could not be resolved (unsupported method,
  bad URL, document without the key). ``FetchFailed`` from the fetcher means "could not check".
- ``SigningError``: caller mistakes when signing (``issue`` raises; ``verify`` never does).
- ``BakingError``: image has no credential, is not a PNG/SVG, or is malformed.
- ``StatusListError``: a status list is malformed or an index is out of range.
"""

from __future__ import annotations

from microcred.errors import MicrocredError


class VCError(MicrocredError):
    code = "vc_error"


class ContextError(VCError):
    code = "context"


class ExpansionError(VCError):
    code = "expansion"


class CanonicalizationError(VCError):
    code = "canonicalization"


class KeyFormatError(VCError):
    code = "key"


class ResolutionError(VCError):
    code = "resolution"


class FetchFailed(VCError):
    """A network fetch could not be made or failed: the check it served is 'could not check'."""

    code = "fetch_failed"


class SigningError(VCError):
    code = "signing"


class BakingError(VCError):
    code = "baking"


class StatusListError(VCError):
    code = "status_list"


class InputError(VCError):
    """The input is not something the verifier can read (size, format, syntax)."""

    code = "bad_input"
