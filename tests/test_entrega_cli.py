"""The command line's own refusals: redirects, passphrases, typos, all without a traceback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import cli
from server.entrega.cli import Relay, Stop


class _Redirector(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(302)
        self.send_header("Location", "http://example.org/elsewhere")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def redirecting() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_redirect_is_never_followed(redirecting: str) -> None:
    with pytest.raises(Stop) as stopped:
        Relay(redirecting).json("POST", "/challenge", {"office": "fresno"})
    assert "redirect" in stopped.value.en and "redirección" in stopped.value.es


@pytest.mark.parametrize(
    "url", ["ftp://host/", "file:///etc/passwd", "127.0.0.1:8000", "http://h/?x=1"]
)
def test_only_an_http_server_address_is_accepted(url: str) -> None:
    with pytest.raises(Stop):
        Relay(url)


def test_desk_key_asks_twice_and_refuses_a_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["una frase larga", "otra frase larga"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = tmp_path / "k.age"
    assert cli.main(["desk-key", "new", "--office", "fresno", "--out", str(out)]) == 2
    assert "differ" in capsys.readouterr().err and not out.exists()
    answers = iter(["corta", "corta"])
    assert cli.main(["desk-key", "new", "--office", "fresno", "--out", str(out)]) == 2
    assert "8 characters" in capsys.readouterr().err


def test_desk_key_with_matching_passphrases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "una frase larga")
    out = tmp_path / "k.age"
    assert cli.main(["desk-key", "new", "--office", "fresno", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "entrega_keys:" in printed and "- recipient: age1" in printed
    assert out.read_bytes().startswith(b"age-encryption.org/v1\n")


def test_a_typo_in_the_code_is_caught_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "missing.age"  # never read: the code is checked first
    code = cli.main(
        [
            "entrega",
            "fetch",
            "ABCDE-FGHJ0",
            "--office",
            "fresno",
            "--identity",
            str(key),
            "--server",
            "http://127.0.0.1:9",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "typo" in err and "Traceback" not in err
