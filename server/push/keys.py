"""VAPID keys: created once by `cartilla keys`, kept in the state folder with mode 0600.

The private key never leaves the server's state folder (outside the repo). The public key
(base64url, uncompressed P-256 point) is what the app passes to `pushManager.subscribe`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid, Vapid01
from py_vapid.utils import b64urlencode


class VapidKeyError(Exception):
    """The key file is missing or unreadable; `str()` is English, `.es` is Spanish."""

    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en = en
        self.es = es


class KeyExistsError(VapidKeyError):
    """`cartilla keys` without --force found a key already there."""


def public_key_of(vapid: Vapid01) -> str:
    """The application server key as base64url without padding."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return str(b64urlencode(raw))


def load_vapid(path: Path) -> Vapid01:
    """The VAPID key stored at `path`, or VapidKeyError saying how to create it."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise VapidKeyError(
            f"No VAPID key at {path}. Run `cartilla keys` once to create it.",
            f"No hay clave VAPID en {path}. Ejecute `cartilla keys` una vez para crearla.",
        ) from None
    except OSError as exc:
        raise VapidKeyError(
            f"Cannot read the VAPID key at {path}: {exc.strerror}.",
            f"No se puede leer la clave VAPID en {path}: {exc.strerror}.",
        ) from None
    try:
        vapid: Vapid01 = Vapid.from_pem(pem)
        public_key_of(vapid)
    except Exception:
        # py_vapid raises several exception types for bad PEM data; all mean the same here.
        raise VapidKeyError(
            f"The file {path} is not a VAPID private key. Recreate it with `cartilla keys --force`"
            " (phones will have to subscribe again).",
            f"El archivo {path} no es una clave privada VAPID. Vuelva a crearla con "
            "`cartilla keys --force` (los teléfonos tendrán que suscribirse otra vez).",
        ) from None
    return vapid


def create_vapid(path: Path, *, force: bool = False) -> str:
    """Create a new key at `path` (mode 0600) and return its public key.

    Without `force` an existing file is never touched (KeyExistsError). The file is written
    to a temporary name first, so a crash never leaves a half-written key behind.
    """
    if path.exists() and not force:
        try:
            existing = public_key_of(load_vapid(path))
        except VapidKeyError:
            existing = "?"
        raise KeyExistsError(
            f"A VAPID key already exists at {path} (public key {existing}). It was not changed;"
            " use --force to replace it (every phone will have to subscribe again).",
            f"Ya existe una clave VAPID en {path} (clave pública {existing}). No se cambió;"
            " use --force para reemplazarla (cada teléfono tendrá que suscribirse otra vez).",
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    vapid = Vapid()
    vapid.generate_keys()
    pem: bytes = vapid.private_pem()
    fd, tmp_name = tempfile.mkstemp(prefix=".vapid-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        if force:
            os.replace(tmp_name, path)
        else:
            # link() fails if someone created the key meanwhile: never overwrite silently.
            os.link(tmp_name, path)
            os.unlink(tmp_name)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise KeyExistsError(
            f"A VAPID key appeared at {path} while creating one; it was not changed.",
            f"Apareció una clave VAPID en {path} mientras se creaba otra; no se cambió.",
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return public_key_of(vapid)


class PublicKeyCache:
    """The public key for the API, reread only when the key file changes."""

    def __init__(self) -> None:
        self._seen: tuple[Path, int, int, int] | None = None
        self._public_key = ""

    def get(self, path: Path) -> str:
        stat = path.stat()  # FileNotFoundError when keys were never created
        seen = (path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._public_key = public_key_of(load_vapid(path))
            self._seen = seen
        return self._public_key
