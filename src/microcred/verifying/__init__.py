"""The verifying use case around ``microcred.vc``'s verifier: the guarded fetcher."""

from microcred.verifying.fetcher import Fetcher

__all__ = ["Fetcher"]
