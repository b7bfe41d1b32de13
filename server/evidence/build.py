"""Writing a bundle in Python: the reference for the format, used by tests and benchmarks.

The phone builds bundles with pwa/js/bundle/; this module writes the same layout so tests
can make good bundles and then break them one way at a time. It writes the BagIt files by
hand (never `bagit.make_bag`, which changes the process's working directory).
"""

from __future__ import annotations

import base64
import html
import io
import zipfile
from collections.abc import Mapping
from typing import Any

import msgspec
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from server.evidence import bag
from server.evidence.signing import load_public_key

SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey

README_TEXT = """\
LEEME - Paquete de evidencia de Cartilla
========================================

Qué es: una copia de los registros de trabajo que la persona guardó en su teléfono
(horas, pagos, gastos, incidentes y fotos), con un resumen para imprimir (data/summary.html).

Qué prueba:
- Que ningún archivo (tampoco este LEEME, bag-info.txt ni data/summary.html) cambió desde
  que se hizo y se firmó este paquete: la firma cubre tagmanifest-sha256.txt, que da la
  huella de cada archivo de arriba, y manifest-sha256.txt da la de cada archivo de data/.
- Que la llave que firmó es la que el teléfono anotó en su registro (entrada "key").
- Que las entradas del registro forman una cadena: ninguna se cambió, se quitó o se
  reordenó después de guardarse (cada cambio queda como una entrada nueva, con su motivo).
- Si hay recibos de tiempo del servidor de Cartilla: que esas entradas ya existian a esa hora.

Qué NO prueba:
- No prueba que lo escrito sea verdad. Son los registros de la persona, no del empleador.
- La firma es de una llave hecha en el teléfono: prueba integridad, no identidad.

Cómo comprobarlo sin programas especiales (Linux, macOS o Windows con WSL):
  1. Descomprima el ZIP y entre en la carpeta.
  2. sha256sum -c tagmanifest-sha256.txt   (cada archivo debe decir "OK" / "La suma coincide")
  3. sha256sum -c manifest-sha256.txt
  4. Firma Ed25519 (con OpenSSL 3):
       base64 -d tagmanifest-sha256.txt.sig > firma.bin
       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin \\
         -in tagmanifest-sha256.txt -sigfile firma.bin
O abra el paquete en el escritorio del personal de Cartilla (/staff/), o use
"cartilla verify paquete.zip".

README - Cartilla evidence bundle
=================================

What it is: a copy of the work records the person kept on their phone (hours, pay,
expenses, incidents and photos), with a printable summary (data/summary.html).

What it proves:
- That no file (this README, bag-info.txt and data/summary.html included) has changed since
  this bundle was made and signed: the signature covers tagmanifest-sha256.txt, which gives
  the fingerprint of every top-level file, and manifest-sha256.txt gives every file in data/.
- That the signing key is the one the phone recorded in its log (a "key" entry).
- That the log entries form a chain: none was changed, removed or reordered after it was
  saved (every change is a new entry, with its reason).
- If there are time receipts from the Cartilla server: that those entries already existed
  at that time.

What it does NOT prove:
- It does not prove that what is written is true. These are the person's records, not
  the employer's.
- The signature is from a key made on the phone: it proves integrity, not identity.

How to check it with no special software (Linux, macOS, or Windows with WSL):
  1. Unzip the file and go into the folder.
  2. sha256sum -c tagmanifest-sha256.txt   (every file must say "OK")
  3. sha256sum -c manifest-sha256.txt
  4. Ed25519 signature (OpenSSL 3):
       base64 -d tagmanifest-sha256.txt.sig > signature.bin
       openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin \\
         -in tagmanifest-sha256.txt -sigfile signature.bin
Or open the bundle on the Cartilla staff desk (/staff/), or run
"cartilla verify bundle.zip".
"""


def key_binding(key: SigningKey) -> dict[str, str]:
    """The `key` member of the journal entry that binds `key` into the chain."""
    _, algorithm, fingerprint = load_public_key(public_pem(key))
    return {"algorithm": algorithm, "fingerprint": fingerprint}


def sign(key: SigningKey, message: bytes) -> bytes:
    """Raw signature bytes as WebCrypto makes them (Ed25519, or ECDSA r||s)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def public_pem(key: SigningKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jsonl(entries: list[dict[str, Any]]) -> bytes:
    """Journal lines: compact JSON, one entry per line, as the phone writes them."""
    return b"".join(msgspec.json.encode(e) + b"\n" for e in entries)


def summary_html(summary: Mapping[str, Any]) -> bytes:
    """A small bilingual printable page (the phone's builder writes a richer one)."""
    employers = ", ".join(html.escape(str(e.get("name", ""))) for e in summary["employers"])
    period = summary["period"]
    text = (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        "<title>Resumen / Summary</title></head><body>"
        f"<h1>Resumen de evidencia / Evidence summary</h1><p>Empleador / Employer: {employers}</p>"
        f"<p>Periodo / Period: {period['start']} – {period['end']}</p>"
        f"<p>Huella de la cadena / Chain head: <code>{summary['chain']['head']}</code></p>"
        "</body></html>\n"
    )
    return text.encode()


def seal(
    root: str,
    payload: Mapping[str, bytes],
    key: SigningKey,
    bag_info: list[tuple[str, str]],
    *,
    readme: bytes | None = None,
) -> dict[str, bytes]:
    """All files of a bag (paths relative to the bag folder): tag files, signature, payload."""
    files: dict[str, bytes] = dict(payload)
    manifest = bag.manifest_text(payload.items())
    pem = public_pem(key)
    _, algorithm, fingerprint = load_public_key(pem)
    info = [
        *bag_info,
        ("Payload-Oxum", bag.payload_oxum(dict(payload))),
        ("Cartilla-Signature-Algorithm", algorithm),
        ("Cartilla-Key-Fingerprint", fingerprint),
    ]
    files["bagit.txt"] = bag.BAGIT_TXT
    files["bag-info.txt"] = bag.bag_info_text(info)
    files[bag.MANIFEST] = manifest
    files[bag.PUBLIC_KEY] = pem
    files[bag.README] = readme if readme is not None else README_TEXT.encode()
    # Every top-level file goes in the tag manifest, and the signature is over it: so the
    # signature covers everything staff can read (bag-info, README, summary.html via the
    # payload manifest), not only the payload.
    tags = [(name, data) for name, data in files.items() if "/" not in name]
    files[bag.TAGMANIFEST] = bag.manifest_text(tags)
    files[bag.SIGNATURE] = base64.b64encode(sign(key, files[bag.TAGMANIFEST])) + b"\n"
    return files


def zip_files(root: str, files: Mapping[str, bytes], *, deflate: bool = True) -> bytes:
    """A ZIP with one top folder `root/`; the summary first so it is easy to find."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    order = sorted(files, key=lambda n: (n != "data/summary.html", n != bag.README, n))
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name in order:
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def build_bundle(
    root: str,
    *,
    journal: list[dict[str, Any]],
    summary: dict[str, Any],
    guides: dict[str, Any],
    photos: Mapping[str, bytes],
    key: SigningKey,
    created: str,
) -> bytes:
    """A complete, signed bundle ZIP. `photos` maps `data/photos/<sha>.<ext>` to bytes."""
    payload: dict[str, bytes] = {
        "data/journal.jsonl": jsonl(journal),
        "data/summary.json": msgspec.json.encode(summary),
        "data/summary.html": summary_html(summary),
        "data/guides.json": msgspec.json.encode(guides),
        **photos,
    }
    head = journal[-1]["hash"]
    info = [
        ("Bagging-Date", created[:10]),
        ("Bag-Software-Agent", f"Cartilla {summary['app_version']}"),
        ("Cartilla-Bundle-Version", bag.BUNDLE_VERSION),
        ("Cartilla-Chain-Head", head),
        ("Cartilla-Chain-Length", str(len(journal))),
    ]
    return zip_files(root, seal(root, payload, key, info))
