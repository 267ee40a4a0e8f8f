"""The issuing side: organisations, keys at rest, achievements, awards, cohorts, status."""
