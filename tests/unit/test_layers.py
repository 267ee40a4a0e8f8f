"""The standards core stays a library: importing microcred.vc pulls in no web, database or CLI code."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "jinja2",
    "typer",
    "uvicorn",
    "httpx",
    "microcred.web",
    "microcred.cli",
    "microcred.verifying",
)


def test_vc_imports_no_adapter():
    code = (
        "import json, sys, microcred.vc.verifier, microcred.vc.openbadges, microcred.vc.baking, "
        "microcred.vc.presentations;"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert bad == []


def test_wallet_imports_no_web_or_cli():
    code = (
        "import json, sys, microcred.wallet.holdings, microcred.wallet.organise, "
        "microcred.wallet.export, microcred.wallet.shares;"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    web = ("fastapi", "starlette", "jinja2", "typer", "uvicorn", "microcred.web", "microcred.cli")
    bad = [m for m in loaded if any(m == f or m.startswith(f + ".") for f in web)]
    assert bad == []
