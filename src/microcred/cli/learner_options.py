"""The learner's options, shared by ``microcred cost`` and ``microcred advise`` (one
definition each: the same flag means the same thing in both commands)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class FilingStatus(StrEnum):
    single = "single"
    joint = "joint"


Jurisdiction = Annotated[
    str, typer.Option(help="Where the learner lives: CA-ON, CA-BC, US, SG, UK-ENG, ...")
]
Age = Annotated[int | None, typer.Option(min=0, help="Age at the end of the tax year.")]
Income = Annotated[float | None, typer.Option(help="Income (working/net income; MAGI in the US).")]
Filing = Annotated[FilingStatus, typer.Option(help="US filing status.")]
TaxYear = Annotated[int | None, typer.Option(help="Tax year; default this year.")]
Residency = Annotated[
    str, typer.Option(help="citizen, permanent_resident, protected_person or other.")
]
FamilySize = Annotated[int, typer.Option(min=1, help="Family size (OSAP).")]
CtcBalance = Annotated[
    float | None, typer.Option(min=0, help="Canada Training Credit limit available.")
]
CtcYears = Annotated[
    int | None, typer.Option(min=0, help="Or: eligible years accumulated since 2019.")
]
EmployerAssistance = Annotated[
    float, typer.Option(min=0, help="What the employer pays or reimburses.")
]
