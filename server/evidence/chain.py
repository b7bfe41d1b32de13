"""The journal inside a bundle: `data/journal.jsonl`, checked link by link.

Each line is either a journal entry exactly as the phone stored it (server/log_format.py's
JournalEntry; its hash is recomputed with `entry_hash` below, over server/canonical.py's
canonical form) or, for entries the worker
chose not to share (another employer, other dates), a *withheld* line that keeps only the
entry's place in the chain: `{"seq", "withheld": true, "prev_hash", "hash", "time"}`.
A withheld entry's content cannot be checked, and it also cuts what a later time receipt can
vouch for: a receipt for entry j vouches for entries after the last withheld entry before j.

Also owns two facts derived from the chain and its receipts: which phone key the chain binds
(`key` entries; the bundle must be signed with the key of the last one, and a key bound only
after the last receipt may not replace a key a receipt already anchored) and which entries
no receipt covers (`uncovered`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric import ed25519

from server import canonical, log_format
from server.evidence.errors import BundleError
from server.evidence.format import schema_problem
from server.evidence.receipts import UNCHECKED_CODES, Receipt, check_receipt

JOURNAL = "data/journal.jsonl"
MAX_LINES = 200_000


class WithheldEntry(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A journal entry left out of the bundle by the worker: only its place in the chain."""

    seq: Annotated[int, msgspec.Meta(ge=0)]
    withheld: Literal[True]
    prev_hash: log_format.Sha256Hex
    hash: log_format.Sha256Hex
    time: log_format.Instant | None = None


Verdict = Literal["genuine", "forged", "not_in_chain", "unchecked"]


@dataclass
class ReceiptResult:
    """One time receipt found in the journal and what it vouches for.

    `verdict`: "genuine" (signature holds), "forged" or "not_in_chain" (failures), or
    "unchecked" (the key is not in the published history, or no keys were given: "could not
    check", never a failure). `error` names the code for the failures and for an unknown key.
    """

    seq: int
    receipt: Receipt
    entry_seq: int | None
    anchored_from: int | None
    error: str | None
    verdict: Verdict = "unchecked"

    @property
    def failed(self) -> bool:
        return self.verdict in ("forged", "not_in_chain")

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.receipt.hash,
            "time": self.receipt.time,
            "key_id": self.receipt.key_id,
            "entry_seq": self.entry_seq,
            "anchored_from_seq": self.anchored_from,
            "ok": {"genuine": True, "unchecked": None}.get(self.verdict, False),
            "verdict": self.verdict,
            "error": self.error,
        }


@dataclass
class Journal:
    """The parsed journal: full entries (as Structs and raw dicts) and withheld lines."""

    entries: list[log_format.JournalEntry | WithheldEntry] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)

    @property
    def head(self) -> str:
        return self.entries[-1].hash if self.entries else log_format.GENESIS_HASH

    @property
    def withheld(self) -> int:
        return sum(isinstance(e, WithheldEntry) for e in self.entries)

    def full(self) -> list[log_format.JournalEntry]:
        return [e for e in self.entries if isinstance(e, log_format.JournalEntry)]


def parse_journal(data: bytes) -> Journal:
    """Decode every line strictly; the first bad line is a named error giving its number."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError("bad_schema", name=JOURNAL, detail="not UTF-8 text") from exc
    # Only truly empty lines are skipped (the file ends with one): what counts as blank must
    # not depend on a language's idea of whitespace.
    lines = [line for line in text.split("\n") if line]
    if not lines:
        raise BundleError("bad_schema", name=JOURNAL, detail="no entries")
    if len(lines) > MAX_LINES:
        raise BundleError("bad_schema", name=JOURNAL, detail=f"more than {MAX_LINES} lines")
    journal = Journal()
    for number, line in enumerate(lines, start=1):
        raw = read_json(JOURNAL, line, f"line {number}: ")
        if not isinstance(raw, dict):
            raise BundleError("bad_schema", name=JOURNAL, detail=f"line {number}: not an object")
        kind: type[Any] = WithheldEntry if raw.get("withheld") is True else log_format.JournalEntry
        problem = schema_problem(kind.__name__, raw)
        if problem:
            raise BundleError("bad_schema", name=JOURNAL, detail=f"line {number}: {problem}")
        try:
            entry = msgspec.convert(raw, kind)
        except msgspec.ValidationError as exc:
            raise BundleError("bad_schema", name=JOURNAL, detail=f"line {number}: {exc}") from exc
        journal.entries.append(entry)
        journal.raw.append(raw)
    return journal


def read_json(name: str, text: bytes | str, where: str = "") -> Any:
    """One strict JSON reading (server/canonical.py) with the bundle's error codes."""
    try:
        return canonical.loads(text)
    except canonical.JsonError as exc:
        if exc.code == "json_syntax":
            raise BundleError("bad_schema", name=name, detail=f"{where}not JSON") from exc
        raise BundleError(exc.code, name=name, detail=where.rstrip(": ")) from exc


def entry_hash(raw: dict[str, Any]) -> str:
    """sha256_hex(prev_hash + "\n" + canonical JSON of the entry without its "hash")."""
    body = {k: v for k, v in raw.items() if k != "hash"}
    prev = body.get("prev_hash")
    if not isinstance(prev, str):
        raise canonical.JsonError("json_syntax", "$.prev_hash: missing")
    return hashlib.sha256(prev.encode() + b"\n" + canonical.canonical_json(body)).hexdigest()


def check_links(journal: Journal) -> list[BundleError]:
    """Every entry follows the one before it and full entries hash to what they say."""
    errors: list[BundleError] = []
    prev = log_format.GENESIS_HASH
    for index, (entry, raw) in enumerate(zip(journal.entries, journal.raw, strict=True)):
        label = f"#{index}"
        if entry.seq != index or entry.prev_hash != prev:
            errors.append(BundleError("chain_broken", name=label))
        if isinstance(entry, log_format.JournalEntry):
            try:
                computed = entry_hash(raw)
            except canonical.JsonError:
                computed = ""
            if computed != entry.hash:
                errors.append(BundleError("chain_edited", name=label))
        prev = entry.hash
    return errors


def check_receipts(
    journal: Journal, known: dict[str, ed25519.Ed25519PublicKey] | None
) -> list[ReceiptResult]:
    """Each receipt entry: genuine (if keys are known), for an earlier hash, and its reach."""
    results: list[ReceiptResult] = []
    position = {entry.hash: i for i, entry in enumerate(journal.entries)}
    last_withheld = -1
    withheld_before: list[int] = []
    for i, entry in enumerate(journal.entries):
        if isinstance(entry, WithheldEntry):
            last_withheld = i
        withheld_before.append(last_withheld)
    for i, entry in enumerate(journal.entries):
        if not isinstance(entry, log_format.JournalEntry) or entry.kind != "receipt":
            continue
        if entry.receipt is None:
            continue
        try:
            receipt = msgspec.convert(msgspec.to_builtins(entry.receipt), Receipt)
        except msgspec.ValidationError:
            # The log's receipt pattern is the receipt module's; kept as a guard, never a crash.
            continue
        target = position.get(receipt.hash)
        error: str | None = None
        anchored: int | None = None
        verdict: Verdict = "unchecked"
        if target is None or target >= i:
            error, verdict = "receipt_not_in_chain", "not_in_chain"
            target = None
        else:
            anchored = withheld_before[target] + 1
            if anchored > target:
                anchored = None
        if error is None and known is not None:
            error = check_receipt(receipt, known)
            if error is None:
                verdict = "genuine"
            elif error not in UNCHECKED_CODES:
                verdict = "forged"
        results.append(ReceiptResult(i, receipt, target, anchored, error, verdict))
    return results


def key_entries(journal: Journal) -> list[tuple[int, log_format.PhoneKey]]:
    """(position, key) of every key entry the bundle shows (key entries are never withheld)."""
    return [
        (i, entry.key)
        for i, entry in enumerate(journal.entries)
        if isinstance(entry, log_format.JournalEntry) and entry.kind == "key" and entry.key
    ]


def key_not_in_chain(journal: Journal, algorithm: str, fingerprint: str) -> bool:
    """True unless the last key entry names the key that signed the bundle."""
    keys = key_entries(journal)
    if not keys:
        return True
    last = keys[-1][1]
    return last.fingerprint != fingerprint or last.algorithm != algorithm


def key_changed_after_receipt(
    journal: Journal, fingerprint: str, results: list[ReceiptResult], keys_known: bool
) -> bool:
    """The "edited after the last receipt and re-signed with a new key" forgery.

    True when a key entry that a receipt anchors names another key than the signing key and
    the signing key's own (last) entry is anchored by no receipt. Any receipt that did not
    fail anchors the old key; the signing key's entry needs a genuine one when keys are known
    (else a made-up receipt under an unknown key would hide the change).
    """
    keys = key_entries(journal)
    if not keys or keys[-1][1].fingerprint != fingerprint:
        return False  # key_not_in_chain says it
    signing_at = keys[-1][0]
    reach = [r.entry_seq for r in results if not r.failed and r.entry_seq is not None]
    if not reach:
        return False
    proven = [
        r.entry_seq
        for r in results
        if r.entry_seq is not None
        and (r.verdict == "genuine" or (not keys_known and r.verdict == "unchecked"))
    ]
    if proven and max(proven) >= signing_at:
        return False
    last_anchored = max(reach)
    return any(at <= last_anchored and k.fingerprint != fingerprint for at, k in keys)


def uncovered(journal: Journal, results: list[ReceiptResult]) -> tuple[int, int] | None:
    """(first, last) entry numbers made after the last receipt that did not fail, or None.

    Receipt entries themselves are not counted (each carries its own server time). With no
    usable receipt, every other entry is uncovered.
    """
    reach = [r.entry_seq for r in results if not r.failed and r.entry_seq is not None]
    after = max(reach) if reach else -1
    open_ = [
        i
        for i, entry in enumerate(journal.entries)
        if i > after
        and not (isinstance(entry, log_format.JournalEntry) and entry.kind == "receipt")
    ]
    return (open_[0], open_[-1]) if open_ else None
