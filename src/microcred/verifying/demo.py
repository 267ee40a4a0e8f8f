"""Demo data for `make run`: a demo issuer and a few credentials to try the verifier on.

The demo issuer's key lives in ``<data_dir>/demo/issuer-key.json`` (mode 0600, created on
first use, reused after), so the samples stay the same across restarts. Nothing here is
used outside the demo pages.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from microcred.vc import baking, openbadges, proofs, vcjwt
from microcred.vc.keys import Ed25519Multikey


@dataclass(frozen=True)
class Sample:
    name: str  # file name, also the URL segment
    media_type: str
    description: str
    data: bytes


def badge_png(size: int = 96, rgb: tuple[int, int, int] = (0x1F, 0x6F, 0xEB)) -> bytes:
    """A round badge image (a filled disc with a ring), as a PNG made with zlib alone."""
    c = size / 2
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")
        for x in range(size):
            d = ((x + 0.5 - c) ** 2 + (y + 0.5 - c) ** 2) ** 0.5
            if d <= c - 1:
                ring = c * 0.78 <= d <= c * 0.86
                row += bytes((255, 255, 255, 255)) if ring else bytes((*rgb, 255))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def demo_key(data_dir: Path) -> Ed25519Multikey:
    path = data_dir / "demo" / "issuer-key.json"
    if path.exists():
        return Ed25519Multikey.load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519Multikey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(key.to_json(include_secret=True), fh, indent=2)
    return key


def _credential(
    key: Ed25519Multikey,
    *,
    n: int,
    name: str,
    valid_from: datetime,
    valid_until: datetime | None,
    image: str,
) -> dict[str, Any]:
    achievement = openbadges.achievement(
        id=f"urn:uuid:7f1c2c58-1d8a-4f0e-9a53-00000000000{n}",
        name=name,
        description="Cleans, explores and visualises tabular data, and reports what it shows.",
        criteria_narrative="Completed 60 hours of study (2 ECTS) and passed an assessed project.",
        achievement_type="MicroCredential",
        image=image,
        alignment=[
            openbadges.alignment(
                target_name="analyse data",
                target_url="http://data.europa.eu/esco/skill/15d76317-c71a-4fa2-aadc-2ecc34e627b7",
                target_framework="ESCO",
            ),
            openbadges.alignment(
                target_name="Data Scientists",
                target_code="15-2051.00",
                target_url="https://www.onetonline.org/link/summary/15-2051.00",
                target_framework="O*NET-SOC",
            ),
        ],
    )
    if key.controller is None:  # a key file with an id but no controller
        raise openbadges.ShapeError("the demo issuer key names no controller")
    return openbadges.open_badge_credential(
        id=f"urn:uuid:0b6f3a2e-5c1d-4e8f-8a7b-00000000000{n}",
        issuer=openbadges.profile(
            id=key.controller, name="Demo University", url="https://university.example/"
        ),
        achievement=achievement,
        subject_id="did:example:learner-ada",
        name=name,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def demo_samples(data_dir: Path, *, now: datetime | None = None) -> dict[str, Sample]:
    """The demo credentials, signed with the demo issuer's key."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    key = demo_key(data_dir)
    png = badge_png()
    image = "data:image/png;base64," + base64.b64encode(png).decode()
    year = timedelta(days=365)
    valid = proofs.sign(
        _credential(
            key,
            n=1,
            name="Data Analysis Fundamentals",
            valid_from=now - year,
            valid_until=now + 2 * year,
            image=image,
        ),
        key,
    )
    tampered = json.loads(json.dumps(valid))
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Brain Surgery"
    tampered["name"] = "Advanced Brain Surgery"
    expired = proofs.sign(
        _credential(
            key,
            n=2,
            name="First Aid at Work",
            valid_from=now - 3 * year,
            valid_until=now - year,
            image=image,
        ),
        key,
        cryptosuite="eddsa-jcs-2022",
    )
    jwt = vcjwt.sign_vc_jwt(
        _credential(
            key,
            n=3,
            name="Spreadsheet Modelling",
            valid_from=now - year,
            valid_until=None,
            image=image,
        ),
        key,
    )
    samples = [
        Sample(
            "valid-badge.png",
            "image/png",
            "a badge image with a signed credential baked in",
            baking.bake(png, valid),
        ),
        Sample(
            "tampered-badge.json",
            "application/json",
            "the same credential with its name changed after signing",
            json.dumps(tampered, indent=2).encode(),
        ),
        Sample(
            "expired-certificate.json",
            "application/json",
            "a first-aid certificate whose validity ended a year ago",
            json.dumps(expired, indent=2).encode(),
        ),
        Sample("credential.jwt", "application/jwt", "a credential as a VC-JWT", jwt.encode()),
    ]
    return {s.name: s for s in samples}
