"""The learner's wallet: credentials from any issuer, collections, sharing (issue 5).

Domain services over a SQLAlchemy ``Session`` (no web imports); every function takes the
learner and touches only that learner's rows.

- ``holdings``: import (verified first; failed credentials refused), the credentials
  microcred issued (``add_issued``, ``claim_into_wallet``), re-checks, each row's status.
- ``organise``: collections, tags, notes, search and sort, timeline, expiring, the skills
  profile (``skills_profile``, ``have_uris`` for the advisor).
- ``export``: the ZIP export, the CLR 2.0 transcript signed by the platform, presentations
  signed by the learner.
- ``shares``: share links (tokens kept as SHA-256 only).
- ``extract``: the fields read out of a credential (pure).
"""
