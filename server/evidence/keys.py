"""Which server receipt keys a verifier trusts: the local server's, or files given to it.

A receipt is only worth something when its key is the Cartilla server's, known from
outside the bundle (the server's key file, /.well-known/cartilla-receipt-key, or a file
staff saved from it). Keys inside a bundle are never trusted for receipts.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from server.evidence.errors import BundleError
from server.evidence.receipts import key_id_of, public_key_from_b64url


def local_public_key(path: Path) -> dict[str, ed25519.Ed25519PublicKey] | None:
    """The public half of this server's receipt key, if the key file exists (never created)."""
    if not path.exists():
        return None
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        return None
    if not isinstance(private, ed25519.Ed25519PrivateKey):
        return None
    public = private.public_key()
    return {key_id_of(public): public}


def read_public_key_file(path: Path) -> dict[str, ed25519.Ed25519PublicKey]:
    """A PEM public key, or the JSON published at /.well-known/cartilla-receipt-key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError("missing_file", name=str(path)) from exc
    try:
        if data.lstrip().startswith(b"{"):
            doc = json.loads(data)
            public = public_key_from_b64url(str(doc["public_key"]))
        else:
            loaded = serialization.load_pem_public_key(data)
            if not isinstance(loaded, ed25519.Ed25519PublicKey):
                raise ValueError("not Ed25519")
            public = loaded
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError("bad_public_key", detail=str(path)) from exc
    return {key_id_of(public): public}
