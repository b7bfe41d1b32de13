"""Office keys in content: `cartilla check` holds them to the contract; the pack carries them."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from entrega_fixtures import add_office_key, relay_settings
from litestar.testing import TestClient

from server.app import create_app
from server.content.check import load_content
from server.entrega import codes


def _problems(content_dir: Path) -> list[str]:
    return [str(p) for p in load_content(content_dir, check_git=False).errors]


def test_a_good_key_passes(content_dir: Path) -> None:
    add_office_key(content_dir, str(pyrage.x25519.Identity.generate().to_public()))
    assert _problems(content_dir) == []


def test_a_wrong_fingerprint_names_the_right_one(content_dir: Path) -> None:
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    add_office_key(content_dir, recipient, fingerprint="00000-00000")
    [problem] = _problems(content_dir)
    assert "consulates.yaml" in problem and "fingerprint" in problem
    assert codes.fingerprint(recipient) in problem


def test_a_recipient_that_is_not_an_age_key(content_dir: Path) -> None:
    fake = "age1" + "q" * 58  # the right shape, but not a valid Bech32 key
    add_office_key(content_dir, fake, fingerprint=codes.fingerprint(fake))
    problems = _problems(content_dir)
    assert any("not an age X25519 recipient" in p for p in problems), problems


@pytest.mark.parametrize("recipient", ["AGE-SECRET-KEY-1ABC", "ssh-ed25519 AAAA", "age1short"])
def test_a_private_key_or_other_text_is_refused_by_the_schema(
    content_dir: Path, recipient: str
) -> None:
    add_office_key(content_dir, recipient, fingerprint="00000-00000")
    assert any("recipient" in p for p in _problems(content_dir))


def test_dates_must_make_a_period(content_dir: Path) -> None:
    add_office_key(
        content_dir,
        str(pyrage.x25519.Identity.generate().to_public()),
        valid_from="2027-01-01",
        valid_until="2026-12-01",
    )
    [problem] = _problems(content_dir)
    assert "valid_from before valid_until" in problem


def test_pack_data_carries_the_office_keys(tmp_path: Path) -> None:
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    settings = relay_settings(tmp_path, recipient)
    with TestClient(create_app(settings)) as client:
        data = client.get("/api/v1/packs/data?state=CA&lang=es").json()["data"]
    [fresno] = [c for c in data["consulates"] if c["id"] == "fresno"]
    [key] = fresno["entrega_keys"]
    assert key["recipient"] == recipient
    assert key["fingerprint"] == codes.fingerprint(recipient)
    assert key["valid_from"] < key["valid_until"]
