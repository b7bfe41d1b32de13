"""Verifying a whole bundle: every check in a fixed order, each saying plainly what it found.

Owns the verification report that `cartilla verify`, the PDF endpoint and tests use. The
staff desk (pwa/staff/verify.js) runs the same checks in the same order with the same error
codes, so both sides can be compared bundle by bundle.

Checks: zip (read safely) -> bag (BagIt tag files) -> payload (every file's SHA-256) ->
tags (tag manifest) -> signature (over tagmanifest-sha256.txt, so over every file) -> schema
(summary, guides, journal) -> chain (links and hashes, head, the signing key bound in the
chain) -> rules (the journal's own rules and its times, server/evidence/rules.py) -> receipts
(server signatures, "could not check" for unknown keys, the key not changed after the last
receipt, which entries no receipt covers) -> photos (those the journal names present and
unchanged; every photo file recorded, of its declared type, within the size caps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric import ed25519

from server import log_format
from server.evidence import bag, rules
from server.evidence.chain import (
    JOURNAL,
    Journal,
    ReceiptResult,
    check_links,
    check_receipts,
    key_changed_after_receipt,
    key_not_in_chain,
    parse_journal,
    read_json,
    uncovered,
)
from server.evidence.errors import BundleError
from server.evidence.format import GuidesFile, Summary, schema_problem
from server.evidence.signing import (
    decode_signature,
    ed25519_signature_problem,
    load_public_key,
    verify_signature,
)
from server.evidence.zipread import DEFAULT_LIMITS, BundleFiles, Limits, read_bundle

CHECK_IDS = (
    "zip",
    "bag",
    "payload",
    "tags",
    "signature",
    "schema",
    "chain",
    "rules",
    "receipts",
    "photos",
)
SUMMARY_JSON = "data/summary.json"
GUIDES_JSON = "data/guides.json"
SUMMARY_HTML = "data/summary.html"
PHOTO_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass
class Check:
    """One check: passed (True), failed (False) or could not run (None), and why."""

    id: str
    ok: bool | None = None
    errors: list[BundleError] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, error: BundleError) -> None:
        self.ok = False
        self.errors.append(error)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ok": self.ok,
            "errors": [e.as_json() for e in self.errors],
            "notes": [{"es": es, "en": en} for es, en in self.notes],
        }


@dataclass
class Report:
    """Everything the verifier found. `ok` only when every check that ran passed."""

    checks: dict[str, Check]
    root: str = ""
    summary: Summary | None = None
    guides: GuidesFile | None = None
    journal: Journal | None = None
    key_algorithm: str = ""
    key_fingerprint: str = ""
    bag_info: dict[str, str] = field(default_factory=dict)
    receipts: list[ReceiptResult] = field(default_factory=list)
    #: (first, last) entry numbers no time receipt covers, None when every entry is covered.
    uncovered: tuple[int, int] | None = None
    files: BundleFiles | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok is not False for check in self.checks.values()) and all(
            self.checks[c].ok is True for c in ("zip", "bag", "payload", "signature", "chain")
        )

    @property
    def error_codes(self) -> dict[str, list[str]]:
        """check id -> error codes, the form tests compare with the browser desk's."""
        return {cid: [e.code for e in c.errors] for cid, c in self.checks.items() if c.errors}

    def first_error(self) -> BundleError | None:
        for check in self.checks.values():
            if check.errors:
                return check.errors[0]
        return None

    def as_json(self) -> dict[str, Any]:
        summary = msgspec.to_builtins(self.summary) if self.summary else None
        journal = self.journal
        return {
            "ok": self.ok,
            "bundle": self.root,
            "checks": [c.as_json() for c in self.checks.values()],
            "key": {"algorithm": self.key_algorithm, "fingerprint": self.key_fingerprint},
            "chain": {
                "head": journal.head,
                "entries": len(journal.entries),
                "withheld": journal.withheld,
            }
            if journal
            else None,
            "receipts": [r.as_json() for r in self.receipts],
            "uncovered": {"from": self.uncovered[0], "to": self.uncovered[1]}
            if self.uncovered
            else None,
            "summary": summary,
            "guides": msgspec.to_builtins(self.guides) if self.guides else None,
        }


def _new_checks() -> dict[str, Check]:
    return {cid: Check(cid) for cid in CHECK_IDS}


def verify_bundle(
    source: bytes | Path,
    receipt_keys: dict[str, ed25519.Ed25519PublicKey] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Run every check. Reading errors stop early; other checks all run and all report.

    Never raises: an error nobody foresaw fails the check it happened in with
    `verifier_error`, so hostile input gives a verdict, never a traceback or a 500.
    """
    checks = _new_checks()
    report = Report(checks=checks)
    stage = "zip"
    try:
        try:
            files = read_bundle(source, limits)
        except BundleError as error:
            checks["zip"].fail(error)
            return report
        checks["zip"].ok = True
        report.files = files
        report.root = files.root
        stage = "bag"
        if not _check_bag(files, report):
            return report
        stage = "payload"
        _check_payload(files, report)
        stage = "tags"
        _check_tags(files, report)
        stage = "signature"
        _check_signature(files, report)
        stage = "schema"
        if _check_schema(files, report):
            stage = "chain"
            _check_chain(report)
            stage = "rules"
            _check_rules(report)
            stage = "receipts"
            _check_receipts(report, receipt_keys)
            stage = "photos"
            _check_photos(files, report, limits)
    except Exception as exc:  # the one place that turns surprises into a verdict
        checks[stage].fail(BundleError("verifier_error", detail=type(exc).__name__))
    return report


def _check_bag(files: BundleFiles, report: Report) -> bool:
    check = report.checks["bag"]
    try:
        for name in ("bagit.txt", "bag-info.txt", bag.MANIFEST, bag.TAGMANIFEST):
            if files.get(name) is None:
                raise BundleError("missing_file", name=name)
        bag.check_bagit_txt(files.files["bagit.txt"])
        report.bag_info = bag.parse_bag_info(files.files["bag-info.txt"])
        version = report.bag_info.get("Cartilla-Bundle-Version", "")
        if version != bag.BUNDLE_VERSION:
            code = "bundle_version_old" if version in ("", "1") else "bundle_version_unknown"
            raise BundleError(code, name="bag-info.txt", detail=version or "-")
        bag.parse_manifest(bag.MANIFEST, files.files[bag.MANIFEST])
        bag.parse_manifest(bag.TAGMANIFEST, files.files[bag.TAGMANIFEST])
    except BundleError as error:
        check.fail(error)
        return False
    check.ok = True
    return True


def _check_payload(files: BundleFiles, report: Report) -> None:
    check = report.checks["payload"]
    manifest = bag.parse_manifest(bag.MANIFEST, files.files[bag.MANIFEST])
    payload = {name: data for name, data in files.files.items() if name.startswith("data/")}
    for name, digest in sorted(manifest.items()):
        data = payload.get(name)
        if data is None:
            check.fail(BundleError("listed_missing", name=name))
        elif bag.sha256_hex(data) != digest:
            check.fail(BundleError("hash_mismatch", name=name))
    for name in sorted(payload):
        if name not in manifest:
            check.fail(BundleError("not_in_manifest", name=name))
    oxum = report.bag_info.get("Payload-Oxum")
    if oxum and oxum != bag.payload_oxum(payload):
        check.fail(BundleError("bad_bagit", name="bag-info.txt", detail="Payload-Oxum"))
    if check.ok is None:
        check.ok = True


def _check_tags(files: BundleFiles, report: Report) -> None:
    check = report.checks["tags"]
    tags = bag.parse_manifest(bag.TAGMANIFEST, files.files[bag.TAGMANIFEST])
    for name, digest in sorted(tags.items()):
        data = files.get(name)
        if data is None:
            check.fail(BundleError("listed_missing", name=name))
        elif bag.sha256_hex(data) != digest:
            check.fail(BundleError("hash_mismatch", name=name))
    for name in sorted(files.files):
        # Every file outside data/ is a tag file, wherever it sits: none may go unlisted.
        # The tag manifest and its signature are the only two that cannot list themselves.
        if not name.startswith("data/") and name not in tags and name not in _SELF_LISTED:
            check.fail(BundleError("not_in_manifest", name=name))
    for required in ("bagit.txt", "bag-info.txt", bag.MANIFEST):
        if required not in tags:
            check.fail(BundleError("bad_bagit", name=bag.TAGMANIFEST, detail=f"no {required}"))
    if check.ok is None:
        check.ok = True


_SELF_LISTED = (bag.TAGMANIFEST, bag.SIGNATURE)


def _check_signature(files: BundleFiles, report: Report) -> None:
    check = report.checks["signature"]
    pem = files.get(bag.PUBLIC_KEY)
    sig = files.get(bag.SIGNATURE)
    if pem is None:
        check.fail(BundleError("missing_file", name=bag.PUBLIC_KEY))
        return
    if sig is None:
        check.fail(BundleError("missing_file", name=bag.SIGNATURE))
        return
    try:
        key, algorithm, fingerprint = load_public_key(pem)
    except BundleError as error:
        check.fail(error)
        return
    report.key_algorithm, report.key_fingerprint = algorithm, fingerprint
    signature = decode_signature(sig)
    weak = ed25519_signature_problem(signature) if algorithm == "Ed25519" else None
    if weak:
        check.fail(BundleError("weak_signature", detail=weak))
    elif not verify_signature(key, signature, files.files[bag.TAGMANIFEST]):
        check.fail(BundleError("signature_invalid"))
    claimed = report.bag_info.get("Cartilla-Key-Fingerprint", "")
    if claimed != fingerprint:
        check.fail(BundleError("key_mismatch"))
    if check.ok is None:
        check.ok = True


def _check_schema(files: BundleFiles, report: Report) -> bool:
    check = report.checks["schema"]
    for name in (SUMMARY_JSON, GUIDES_JSON, JOURNAL, SUMMARY_HTML, bag.README):
        if files.get(name) is None:
            check.fail(BundleError("missing_file", name=name))
    if check.errors:
        return False
    try:
        report.summary = msgspec.convert(_read_struct(files, SUMMARY_JSON, "Summary"), Summary)
    except BundleError as error:
        check.fail(error)
    except msgspec.ValidationError as exc:
        check.fail(BundleError("bad_schema", name=SUMMARY_JSON, detail=str(exc)))
    try:
        report.guides = msgspec.convert(_read_struct(files, GUIDES_JSON, "GuidesFile"), GuidesFile)
    except BundleError as error:
        check.fail(error)
    except msgspec.ValidationError as exc:
        check.fail(BundleError("bad_schema", name=GUIDES_JSON, detail=str(exc)))
    try:
        report.journal = parse_journal(files.files[JOURNAL])
    except BundleError as error:
        check.fail(error)
    if check.errors:
        return False
    check.ok = True
    return True


def _read_struct(files: BundleFiles, name: str, struct: str) -> Any:
    """Strict JSON, then the shared schema check (format.schema_problem), as the desk does."""
    value = read_json(name, files.files[name])
    problem = schema_problem(struct, value)
    if problem:
        raise BundleError("bad_schema", name=name, detail=problem)
    return value


def _check_chain(report: Report) -> None:
    check = report.checks["chain"]
    journal = report.journal
    assert journal is not None and report.summary is not None
    for error in check_links(journal):
        check.fail(error)
    head = journal.head
    if report.summary.chain.head != head:
        check.fail(BundleError("chain_head_mismatch", name=SUMMARY_JSON))
    if report.bag_info.get("Cartilla-Chain-Head") != head:
        check.fail(BundleError("chain_head_mismatch", name="bag-info.txt"))
    # The signing key must be the one the chain names last (checked only when the key could
    # be read: otherwise the signature check has already failed).
    if report.key_fingerprint and key_not_in_chain(
        journal, report.key_algorithm, report.key_fingerprint
    ):
        check.fail(BundleError("key_not_in_chain", name=bag.PUBLIC_KEY))
    if check.ok is None:
        check.ok = True
    if journal.withheld:
        n = journal.withheld
        check.notes.append(
            (
                f"{n} entradas no se incluyeron por decisión de la persona; solo se comprueba "
                "su lugar en la cadena, no su contenido.",
                f"{n} entries were left out by the worker's choice; only their place in the "
                "chain is checked, not their content.",
            )
        )


def _check_receipts(
    report: Report, receipt_keys: dict[str, ed25519.Ed25519PublicKey] | None
) -> None:
    check = report.checks["receipts"]
    journal = report.journal
    assert journal is not None
    report.receipts = check_receipts(journal, receipt_keys)
    unchecked = []
    for result in report.receipts:
        if result.failed and result.error:
            check.fail(BundleError(result.error, name=f"#{result.seq}"))
        elif result.error:  # an unknown key: "could not check", never a failure alone
            unchecked.append(result)
    if report.key_fingerprint and key_changed_after_receipt(
        journal, report.key_fingerprint, report.receipts, receipt_keys is not None
    ):
        check.fail(BundleError("key_changed_after_receipt", name=bag.PUBLIC_KEY))
    for result in unchecked:
        check.notes.append(
            (
                f"Recibo n.º {result.seq}: no se pudo comprobar. Está firmado con una llave "
                f"({result.receipt.key_id}) que no está en la lista de llaves que publica el "
                "servidor; no quiere decir que sea falso.",
                f"Receipt #{result.seq}: could not be checked. It is signed with a key "
                f"({result.receipt.key_id}) that is not in the server's published key list; "
                "this does not mean it is forged.",
            )
        )
    report.uncovered = uncovered(journal, report.receipts)
    if not report.receipts:
        check.notes.append(
            (
                "No hay recibos de tiempo: el teléfono no estuvo en línea o no los pidió. "
                "Ninguna entrada está cubierta por un recibo.",
                "There are no time receipts: the phone was not online or did not ask for "
                "them. No entry is covered by a receipt.",
            )
        )
    elif report.uncovered:
        check.notes.append(_uncovered_note(*report.uncovered))
    if not report.receipts:
        return
    if receipt_keys is None:
        check.notes.append(
            (
                "No se conoce la llave del servidor: los recibos no se pudieron comprobar.",
                "The server's key is not known here: the receipts could not be checked.",
            )
        )
        return
    if check.ok is None and not unchecked:
        check.ok = True


def _uncovered_note(first: int, last: int) -> tuple[str, str]:
    """What staff read about the entries made after the last time receipt."""
    if first == last:
        return (
            f"La entrada n.º {first} se hizo después del último recibo de hora.",
            f"Entry #{first} was made after the last time receipt.",
        )
    return (
        f"Las entradas n.º {first} a {last} se hicieron después del último recibo de hora.",
        f"Entries #{first}–#{last} were made after the last time receipt.",
    )


def _check_photos(files: BundleFiles, report: Report, limits: Limits = DEFAULT_LIMITS) -> None:
    check = report.checks["photos"]
    assert report.journal is not None and report.summary is not None
    left_out = "photos" in report.summary.left_out
    seen: set[str] = set()
    for entry in report.journal.full():
        data = entry.data
        if not isinstance(data, log_format.Photo) or data.id in seen:
            continue
        seen.add(data.id)
        name = f"data/photos/{data.sha256}.{PHOTO_EXT[data.mime]}"
        content = files.get(name)
        if content is None:
            if not left_out:
                check.fail(BundleError("photo_missing", name=name))
        elif bag.sha256_hex(content) != data.sha256:
            check.fail(BundleError("photo_changed", name=name))
    # Every photo file: recorded by an entry, of its declared type, its header within limits.
    for error in rules.photo_problems(files, report.journal, limits):
        check.fail(error)
    if check.ok is None:
        check.ok = True
    if left_out:
        check.notes.append(
            ("La persona decidió no incluir las fotos.", "The worker chose not to include photos.")
        )


def _check_rules(report: Report) -> None:
    """The journal's own rules and its times (server/evidence/rules.py), on full entries."""
    check = report.checks["rules"]
    assert report.journal is not None and report.summary is not None
    for error in rules.journal_problems(report.journal, report.summary.created):
        check.fail(error)
    if check.ok is None:
        check.ok = True
