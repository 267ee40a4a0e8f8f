"""Learner accounts: e-mail sign-in, sessions, and each learner's own DID (issue 5)."""
