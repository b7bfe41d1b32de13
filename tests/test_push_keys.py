"""`cartilla keys`: the VAPID key is made once, private to its owner, never overwritten by
accident, and its public half is what the app is given."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.cli import main
from server.config import Settings
from server.push.keys import load_vapid, public_key_of


@pytest.fixture
def state_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(settings.state_dir))
    return settings


def test_keys_are_created_once_with_private_permissions(
    state_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys"]) == 0
    public = capsys.readouterr().out.strip()
    key_path = state_env.vapid_key_path
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert public_key_of(load_vapid(key_path)) == public
    assert [p.name for p in key_path.parent.iterdir() if p.name.startswith(".vapid")] == []

    before = key_path.read_bytes()
    assert main(["keys"]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "Ya existe" in err and public in err
    assert key_path.read_bytes() == before

    assert main(["keys", "--force"]) == 0
    replaced = capsys.readouterr().out.strip()
    assert replaced != public
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_the_server_hands_out_the_key_made_by_the_command(
    state_env: Settings,
    client: TestClient[Litestar],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["keys"]) == 0
    public = capsys.readouterr().out.strip()
    assert client.get("/api/v1/push/key").json() == {"public_key": public}
    assert main(["keys", "--force"]) == 0
    replaced = capsys.readouterr().out.strip()
    assert client.get("/api/v1/push/key").json() == {"public_key": replaced}


def test_a_damaged_key_file_is_explained(
    state_env: Settings, client: TestClient[Litestar], capsys: pytest.CaptureFixture[str]
) -> None:
    state_env.vapid_key_path.write_text("not a key")
    response = client.get("/api/v1/push/key")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "push_not_configured"
    assert main(["keys"]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["keys", "--force"]) == 0
    assert client.get("/api/v1/push/key").status_code == 200


def test_keys_in_an_unwritable_place_fail_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(blocker / "state"))
    assert main(["keys"]) == 1
    err = capsys.readouterr().err
    assert "No se pudo" in err and "Could not" in err
