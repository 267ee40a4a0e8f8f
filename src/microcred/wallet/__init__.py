"""The learner's wallet: credentials from any issuer, collections, sharing (issue 5).

Domain services over a SQLAlchemy ``Session`` (no web imports); every function takes the
learner and touches only that learner's rows.

- ``holdings``: import (verified first; failed credentials, and those issued to someone
  else, refused), the credentials microcred issued (``add_issued``, ``claim_into_wallet``),
  re-checks (``check_rows`` outside any transaction, then ``store_checks``: every view),
  each row's status.
- ``organise``: collections, tags, notes, search and sort, timeline, expiring, the skills
  profile (``skills_profile``, ``have_uris`` for the advisor).
- ``export``: the ZIP export, the CLR 2.0 transcript signed by the platform, presentations
  signed by the learner.
- ``shares``: share links (tokens kept as SHA-256 only).
- ``extract``: the fields read out of a credential (pure).
"""
