"""`cartilla desk-key new` and `cartilla entrega fetch|open|sweep`: the desk on the command line.

- `desk-key new --office ID --out FILE`: a new age X25519 identity, written once (O_EXCL)
  encrypted with a passphrase (age's scrypt recipient); prints the `entrega_keys` YAML to
  send through git and the fingerprint to read aloud.
- `entrega fetch CODE --office ID --identity FILE`: what the desk does: answer the relay's
  challenge with the office key, look up the code, download, decrypt (pyrage), unwrap the
  envelope, verify the bundle as `cartilla verify` does, save the ZIP, and acknowledge (the
  relay then deletes the ciphertext). The HTTP client talks only to `--server`, follows no
  redirect and uses no proxy.
- `entrega open FILE.age --identity FILE`: the same for a saved envelope.
- `entrega sweep`: delete what has expired now.

Exit codes: 0 done and verified; 1 the bundle was saved but a check failed; 2 anything that
stopped the command (message in Spanish and English, never a traceback).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import getpass
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyrage

from server.config import get_settings
from server.entrega import codes, envelope
from server.entrega.store import open_store

DEFAULT_SERVER = "http://127.0.0.1:8000"
#: The largest answer read from the relay (the largest ciphertext, plus room for JSON).
MAX_ANSWER = envelope.MAX_CIPHERTEXT + 65536


class Stop(Exception):
    """Stops a command with a message in both languages."""

    def __init__(self, es: str, en: str) -> None:
        super().__init__(en)
        self.es = es
        self.en = en


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    key = sub.add_parser("desk-key", help="make an office key for Entrega (age, passphrase)")
    key_sub = key.add_subparsers(dest="desk_key_command", metavar="COMMAND")
    new = key_sub.add_parser("new", help="a new office identity, passphrase-protected")
    new.add_argument("--office", required=True, help="the consulate id in consulates.yaml")
    new.add_argument("--out", required=True, type=Path, help="the identity file to write")
    new.add_argument("--passphrase-file", type=Path, help="read the passphrase from a file")
    new.set_defaults(func=_guard(cmd_desk_key_new))

    entrega = sub.add_parser("entrega", help="pick up, open and sweep Entrega hand-offs")
    e_sub = entrega.add_subparsers(dest="entrega_command", metavar="COMMAND")
    fetch = e_sub.add_parser("fetch", help="pick up a bundle by its code, decrypt and verify")
    fetch.add_argument("code", help="the pickup code the worker shows (XXXXX-XXXXX)")
    fetch.add_argument("--office", required=True, help="the office id the code was sent to")
    _identity_options(fetch)
    fetch.add_argument("--server", help=f"the Cartilla server (default {DEFAULT_SERVER})")
    fetch.set_defaults(func=_guard(cmd_fetch))
    opener = e_sub.add_parser("open", help="decrypt and verify a saved .age envelope")
    opener.add_argument("file", type=Path, help="the .age file")
    _identity_options(opener)
    opener.set_defaults(func=_guard(cmd_open))
    sweep = e_sub.add_parser("sweep", help="delete expired uploads, windows and sessions now")
    sweep.set_defaults(func=_guard(cmd_sweep))
    key.set_defaults(func=_needs_subcommand(key))
    entrega.set_defaults(func=_needs_subcommand(entrega))


def _identity_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--identity", required=True, type=Path, help="the office identity file")
    parser.add_argument("--passphrase-file", type=Path, help="read the passphrase from a file")
    parser.add_argument("--out", type=Path, default=Path("."), help="where to save the ZIP")
    parser.add_argument(
        "--receipt-key",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a server receipt key to trust (as cartilla verify)",
    )


def _needs_subcommand(parser: argparse.ArgumentParser) -> Any:
    def run(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return run


def _guard(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = command(args)
        except Stop as stop:
            print(f"Error: {stop.es}\nError: {stop.en}", file=sys.stderr)
            return 2
        return code

    return run


# --- passphrases and identities -------------------------------------------------------------


def _passphrase(path: Path | None, *, twice: bool) -> str:
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            raise Stop(f"No se pudo leer {path}.", f"Could not read {path}.") from None
    else:
        text = getpass.getpass("Frase de paso / Passphrase: ")
        if twice and getpass.getpass("Repítala / Repeat it: ") != text:
            raise Stop("Las dos frases no coinciden.", "The two passphrases differ.")
    if len(text) < 8:
        raise Stop(
            "La frase de paso debe tener al menos 8 caracteres.",
            "The passphrase must have at least 8 characters.",
        )
    return text


def load_identities(path: Path, passphrase_file: Path | None) -> list[pyrage.x25519.Identity]:
    try:
        data = path.read_bytes()
    except OSError:
        raise Stop(
            f"No se pudo leer el archivo de llave {path}.", f"Could not read the key file {path}."
        ) from None
    if data.startswith(envelope.AGE_FIRST_LINE):
        try:
            data = pyrage.passphrase.decrypt(data, _passphrase(passphrase_file, twice=False))
        except pyrage.DecryptError:
            raise Stop(
                "La frase de paso no abre este archivo de llave.",
                "The passphrase does not open this key file.",
            ) from None
    lines = data.decode("ascii", "replace").splitlines()
    found = [
        pyrage.x25519.Identity.from_str(ln.strip())
        for ln in lines
        if ln.strip().startswith("AGE-SECRET-KEY-1")
    ]
    if not found:
        raise Stop(
            f"{path} no contiene una llave age (AGE-SECRET-KEY-1...).",
            f"{path} holds no age key (AGE-SECRET-KEY-1...).",
        )
    return found


def cmd_desk_key_new(args: argparse.Namespace) -> int:
    office: str = args.office
    passphrase = _passphrase(args.passphrase_file, twice=True)
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    today = dt.date.today()
    text = (
        f"# Cartilla Entrega office key for {office}, created {today.isoformat()}\n"
        f"# public key: {recipient}\n{identity}\n"
    )
    sealed = pyrage.passphrase.encrypt(text.encode(), passphrase)
    try:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Stop(
            f"{args.out} ya existe: no se sobrescribe una llave.",
            f"{args.out} already exists: a key is never overwritten.",
        ) from None
    except OSError as exc:
        raise Stop(
            f"No se pudo crear {args.out}: {exc.strerror}.",
            f"Could not create {args.out}: {exc.strerror}.",
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(sealed)
    fingerprint = codes.fingerprint(recipient)
    until = (
        today.replace(year=today.year + 1)
        if not (today.month == 2 and today.day == 29)
        else today + dt.timedelta(days=365)
    )
    print(f"# Añada esto a la oficina '{office}' en content/data/consulates.yaml")
    print(f"# Add this to office '{office}' in content/data/consulates.yaml")
    print("entrega_keys:")
    print(f"- recipient: {recipient}")
    print(f"  fingerprint: {fingerprint}")
    print(f"  valid_from: {today.isoformat()}")
    print(f"  valid_until: {until.isoformat()}")
    print(f"  added: {today.isoformat()}")
    print(f"Huella / Fingerprint: {fingerprint}")
    return 0


# --- talking to the relay -------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the error it is, never followed


class Relay:
    """The relay at one base URL, and nothing else: no redirects, no proxies."""

    def __init__(self, base: str) -> None:
        parsed = urllib.parse.urlsplit(base)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
            raise Stop(
                f"La dirección del servidor no es válida: {base}",
                f"The server address is not valid: {base}",
            )
        self.base = base.rstrip("/") + "/api/v1/entrega"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> bytes:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with self.opener.open(request, timeout=60) as answer:
                content: bytes = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as error:
            raise self._stop(error) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Stop(
                f"No se pudo hablar con el servidor ({reason}).",
                f"Could not reach the server ({reason}).",
            ) from None
        if len(content) > MAX_ANSWER:
            raise Stop(
                "La respuesta del servidor es demasiado grande.",
                "The server's answer is too large.",
            )
        return content

    def json(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        try:
            value = json.loads(self.call(method, path, body))
        except ValueError:
            raise Stop(
                "El servidor no respondió JSON.", "The server did not answer JSON."
            ) from None
        if not isinstance(value, dict):
            raise Stop(
                "El servidor no respondió un objeto.", "The server did not answer an object."
            )
        return value

    @staticmethod
    def _stop(error: urllib.error.HTTPError) -> Stop:
        if 300 <= error.code < 400:
            return Stop(
                f"El servidor respondió con una redirección ({error.code}); no se sigue.",
                f"The server answered with a redirect ({error.code}); it is not followed.",
            )
        try:
            message = json.loads(error.read(65536))["error"]["message"]
            return Stop(str(message["es"]), str(message["en"]))
        except (ValueError, KeyError, TypeError):
            return Stop(
                f"El servidor respondió {error.code}.", f"The server answered {error.code}."
            )


def desk_session(relay: Relay, office: str, identities: list[pyrage.x25519.Identity]) -> None:
    """Answer the relay's challenge with the office key; keeps the desk token on `relay`."""
    challenge = relay.json("POST", "/challenge", {"office": office})
    try:
        secret = pyrage.decrypt(base64.b64decode(challenge["ciphertext"]), list(identities))
    except (pyrage.DecryptError, KeyError, ValueError):
        raise Stop(
            "Esta llave no es la de la oficina: no abre el desafío del servidor.",
            "This key is not the office's: it does not open the server's challenge.",
        ) from None
    session = relay.json(
        "POST",
        "/desk-session",
        {"challenge": challenge["id"], "answer": base64.b64encode(secret).decode()},
    )
    relay.token = str(session["token"])


# --- opening an envelope --------------------------------------------------------------------


def open_envelope(ciphertext: bytes, identities: list[pyrage.x25519.Identity]) -> tuple[str, bytes]:
    try:
        plaintext = pyrage.decrypt(ciphertext, list(identities))
    except pyrage.DecryptError:
        raise Stop(
            "No se pudo descifrar: el archivo fue alterado o no es para esta llave.",
            "Could not decrypt: the file was altered or is not for this key.",
        ) from None
    try:
        return envelope.read(plaintext)
    except envelope.EnvelopeError as exc:
        raise Stop(exc.es, exc.en) from None


def save_and_verify(name: str, bundle: bytes, args: argparse.Namespace) -> int:
    """Write the ZIP (never over a file) and print `cartilla verify`'s report of it."""
    from server.evidence.cli import _known_keys, _printable_streams, render_text
    from server.evidence.verify import verify_bundle

    _printable_streams()
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    stem, n = name.removesuffix(".zip"), 0
    while True:
        target = out_dir / (f"{stem}.zip" if n == 0 else f"{stem}-{n}.zip")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            n += 1
    with os.fdopen(fd, "wb") as f:
        f.write(bundle)
    report = verify_bundle(bundle, _known_keys(args.receipt_key))
    print(render_text(report))
    print(f"Guardado / Saved: {target}")
    return 0 if report.ok else 1


def cmd_fetch(args: argparse.Namespace) -> int:
    try:
        code = codes.normalize_pickup(args.code)
    except codes.CodeError as exc:
        raise Stop(exc.es, exc.en) from None
    identities = load_identities(args.identity, args.passphrase_file)
    relay = Relay(args.server or os.environ.get("CARTILLA_SERVER_URL") or DEFAULT_SERVER)
    desk_session(relay, args.office, identities)
    found = relay.json("GET", f"/pickup/{code}")
    upload_id = str(found["id"])
    if not upload_id.isalnum():
        raise Stop(
            "El servidor respondió un identificador no válido.",
            "The server answered an invalid id.",
        )
    ciphertext = relay.call("GET", f"/uploads/{upload_id}/ciphertext")
    name, bundle = open_envelope(ciphertext, identities)
    result = save_and_verify(name, bundle, args)
    relay.json("POST", f"/uploads/{upload_id}/ack", {})
    print(
        "Recogido: el servidor borró el archivo cifrado. / Picked up: the server deleted the "
        "ciphertext."
    )
    return result


def cmd_open(args: argparse.Namespace) -> int:
    identities = load_identities(args.identity, args.passphrase_file)
    try:
        size = args.file.stat().st_size
        if size > envelope.MAX_CIPHERTEXT:
            raise Stop(
                "El archivo es demasiado grande para ser un sobre de Entrega.",
                "The file is too large to be an Entrega envelope.",
            )
        ciphertext = args.file.read_bytes()
    except OSError:
        raise Stop(f"No se pudo leer {args.file}.", f"Could not read {args.file}.") from None
    name, bundle = open_envelope(ciphertext, identities)
    return save_and_verify(name, bundle, args)


def cmd_sweep(args: argparse.Namespace) -> int:
    counts = open_store(get_settings()).sweep(int(time.time()))
    print("Borrado / Deleted: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
