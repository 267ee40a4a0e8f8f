"""The learner's wallet: credentials from any issuer, collections, sharing (issue 5)."""
