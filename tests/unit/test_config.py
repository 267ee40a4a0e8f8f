"""Settings: read from MICROCRED_* variables, every field documented."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microcred.config import Settings, get_settings
from microcred.errors import MicrocredError

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`MICROCRED_{field.upper()}`" in DOC.read_text("utf-8"), (
        f"Settings.{field} is not documented in docs/configuration.md"
    )


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MICROCRED_"):
            monkeypatch.delenv(name)
    s = get_settings()
    assert s.data_dir == Path("var")
    assert s.database_url == f"sqlite:///{Path('var') / 'microcred.db'}"
    assert s.fetch_allow_loopback is False
    assert s.fetch_max_bytes == 1_000_000
    assert s.upload_max_bytes == 5_000_000


def test_read_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MICROCRED_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MICROCRED_FETCH_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("MICROCRED_FETCH_TIMEOUT", "0.5")
    monkeypatch.setenv("MICROCRED_PORT", "9001")
    s = get_settings()
    assert s.data_dir == tmp_path
    assert s.database_url == f"sqlite:///{tmp_path / 'microcred.db'}"
    assert s.fetch_allow_loopback is True
    assert s.fetch_timeout == 0.5
    assert s.port == 9001


def test_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROCRED_PORT", "9001")
    assert get_settings(port=9002).port == 9002


def test_unusable_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROCRED_PORT", "eighty")
    with pytest.raises(MicrocredError) as info:
        get_settings()
    assert "MICROCRED_PORT" in info.value.user_message
