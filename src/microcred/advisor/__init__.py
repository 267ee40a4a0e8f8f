"""The advisor: what a micro-credential really costs a given learner.

``cost`` turns a program's cost profile into a gross cost for this learner's pace;
``funding`` evaluates each jurisdiction's funding programs (data files under ``rules/``)
against the learner and the program, and ``net_cost`` puts the two together.
Pure code: no web, database or CLI import.
"""

from microcred.advisor.cost import CostProfile, GrossCost, gross_cost, study_months
from microcred.advisor.funding import (
    FundingLine,
    Learner,
    NetCost,
    Program,
    Rule,
    evaluate,
    load_rules,
    net_cost,
)

__all__ = [
    "CostProfile",
    "FundingLine",
    "GrossCost",
    "Learner",
    "NetCost",
    "Program",
    "Rule",
    "evaluate",
    "gross_cost",
    "load_rules",
    "net_cost",
    "study_months",
]
