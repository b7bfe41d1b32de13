"""The worker's log as exported from the phone: msgspec Structs, canonical JSON and the hash chain.

Owns the shape of `log.json` (what the phone exports, what the evidence bundle carries and what
`cartilla wages LOG.json` reads), the canonical JSON used for hashing, and the verifier of the
append-only journal. `docs/log-format.md` explains it in words; `content/schema/log.schema.json`
is exported from `LogExport` (a test fails when it is stale). JS twin: `pwa/js/log/journal.js`.

Rules shared with the phone, so both sides compute the same hashes:
- every number in a record is an integer (money in cents, durations in minutes), because
  JS and Python print floats differently;
- canonical JSON = keys sorted, no whitespace, UTF-8, non-ASCII characters written as is;
- `hash = sha256_hex(prev_hash + "\\n" + canonical_json(entry without its "hash" member))`,
  over the entry exactly as it appears in the file (not re-encoded through these Structs).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from server import canonical
from server.content.schema import Industry as ProfileIndustry
from server.content.schema import StateCode

FORMAT_NAME = "cartilla-log"
FORMAT_VERSION = 1
#: prev_hash of the first journal entry.
GENESIS_HASH = "0" * 64

# --- small types ------------------------------------------------------------------------

RecordId = Annotated[
    str,
    Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="a random id made on the phone"),
]
IsoDate = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
ClockTime = Annotated[
    str,
    Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour clock, local time"),
]
#: An instant in UTC as JS `Date.prototype.toISOString()` writes it.
Instant = Annotated[
    str,
    Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$",
        description="UTC time, e.g. 2025-06-03T18:22:05.123Z",
    ),
]
Cents = Annotated[int, Meta(ge=0, le=100_000_000, description="US cents")]
Minutes = Annotated[int, Meta(ge=0, le=100_000)]
Sha256Hex = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, Meta(max_length=2000)]
ShortText = Annotated[str, Meta(max_length=200)]

WorkStatus = Literal["h2a", "h2b", "other"]
PayType = Literal["hourly", "piece", "salary", "day"]
PayFrequency = Literal["weekly", "biweekly", "semimonthly", "monthly"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
#: A job's kind of work: one a profile can choose, or "other".
Industry = ProfileIndustry | Literal["other"]
DeductionKind = Literal[
    "income_tax",
    "social_security",
    "medicare",
    "state_tax",
    "garnishment",
    "housing",
    "meals",
    "tools",
    "uniform",
    "transport",
    "recruitment_fee",
    "visa",
    "advance",
    "insurance",
    "other",
]
ExpenseKind = Literal[
    "recruitment_fee",
    "visa",
    "travel",
    "subsistence",
    "tools",
    "housing",
    "transport",
    "other",
]
IncidentKind = Literal["no_work", "injury", "threat", "fired", "harassment", "unsafe", "other"]
PayMethod = Literal["check", "cash", "card", "transfer", "other"]
#: What a pay statement can show; H-2A/H-2B statements must show these (see the wage check).
StatementItem = Literal[
    "employer_name",
    "employer_address",
    "employer_fein",
    "pay_period",
    "hours_offered",
    "hours_worked",
    "rate",
    "piece_units",
    "gross",
    "deductions",
    "net",
]


# --- records ----------------------------------------------------------------------------


class Employer(Struct, tag="employer", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Who the worker works for, and everything that identifies them in a complaint."""

    id: RecordId
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    address: Text | None = None
    phone: ShortText | None = None
    supervisor: ShortText | None = None
    crew_leader: ShortText | None = None
    contractor: ShortText | None = None
    vehicle: ShortText | None = None
    plate: ShortText | None = None
    work_site: Text | None = None
    notes: Text | None = None


class Job(Struct, tag="job", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """One job with one employer: where, what kind of work, how it pays and when.

    `promised_rate_cents` is per hour (hourly), per unit (piece), per day worked (day) or per
    workweek (salary). `employer_size` (number of employees, if known) picks state overtime
    phase-ins. For H-2A/H-2B, `contract_start`/`contract_end` and `job_order_hours_per_week`
    come from the job order and drive the three-fourths guarantee and reimbursements;
    `job_order_rate_cents` (per hour) and `skill_level` (1: I, 2: II) are what an H-2A job
    order says, for the AEWR in force since 2025-10-02. `region` is where in the state the work
    is, when the state's minimum wage is set by region (an id of its `regional_minimum_wage`,
    or `rest-of-state`).
    """

    id: RecordId
    employer_id: RecordId
    title: ShortText | None = None
    state: StateCode
    industry: Industry
    status: WorkStatus = "other"
    pay_type: PayType = "hourly"
    promised_rate_cents: Cents | None = None
    pay_frequency: PayFrequency | None = None
    workweek_start: Weekday = "sunday"
    employer_size: Annotated[int, Meta(ge=1, le=10_000_000)] | None = None
    contract_start: IsoDate | None = None
    contract_end: IsoDate | None = None
    job_order_hours_per_week: Annotated[int, Meta(ge=1, le=168)] | None = None
    job_order_rate_cents: Cents | None = None
    skill_level: Literal[1, 2] | None = None
    region: Annotated[str, Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)] | None = None
    notes: Text | None = None
    # Photos of the job order or contract: what was promised, in the employer's own words.
    photo_ids: list[RecordId] = msgspec.field(default_factory=list)


class Shift(Struct, tag="shift", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """A stretch of work that starts on `date`. An `end` before `start` is on the next day.

    `ends_next_day` is true when the worker answered "yes, it ended the next day" (the phone
    asks instead of guessing); logs made before it existed leave it out. The phone refuses a
    shift whose `start` equals its `end`, one longer than 24 hours, one dated in the future and
    one that overlaps another shift of the same job; the wage check leaves the impossible ones
    out and counts overlapping minutes once (`server/shifts.py`).
    """

    id: RecordId
    job_id: RecordId
    date: IsoDate
    start: ClockTime
    end: ClockTime
    ends_next_day: bool = False
    break_minutes: Minutes = 0
    piece_units: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    place: ShortText | None = None
    notes: Text | None = None
    from_memory: bool = False
    photo_ids: list[RecordId] = msgspec.field(default_factory=list)


class Deduction(Struct, forbid_unknown_fields=True, kw_only=True):
    """One line taken out of gross pay."""

    kind: DeductionKind
    amount_cents: Cents
    note: ShortText | None = None


class PayRate(Struct, forbid_unknown_fields=True, kw_only=True):
    """A rate printed on a stub: cents per hour (or per unit for piece work)."""

    rate_cents: Cents
    per: Literal["hour", "unit", "day", "week"] = "hour"
    label: ShortText | None = None


class PayStub(Struct, tag="pay_stub", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """A payment: a stub, a check, or cash handed over (then `statement_given` is false).

    `statement_items` lists what the paper statement shows; null means not recorded.
    """

    id: RecordId
    job_id: RecordId
    pay_date: IsoDate
    period_start: IsoDate
    period_end: IsoDate
    minutes_paid: Minutes | None = None
    rates: list[PayRate] = msgspec.field(default_factory=list)
    gross_cents: Cents
    deductions: list[Deduction] = msgspec.field(default_factory=list)
    net_cents: Cents | None = None
    method: PayMethod = "check"
    statement_given: bool = True
    statement_items: list[StatementItem] | None = None
    notes: Text | None = None
    from_memory: bool = False
    photo_ids: list[RecordId] = msgspec.field(default_factory=list)


class Expense(Struct, tag="expense", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Money the worker paid (a recruitment fee, visa, travel, tools, housing...).

    `reimbursed_cents` is what the employer has paid back so far.
    """

    id: RecordId
    job_id: RecordId | None = None
    date: IsoDate
    kind: ExpenseKind
    amount_cents: Cents
    paid_to: ShortText | None = None
    reimbursed_cents: Cents = 0
    reimbursed_on: IsoDate | None = None
    notes: Text | None = None
    from_memory: bool = False
    photo_ids: list[RecordId] = msgspec.field(default_factory=list)


class Incident(Struct, tag="incident", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Something that happened: an injury, a threat, a day with no work offered."""

    id: RecordId
    job_id: RecordId | None = None
    date: IsoDate
    kind: IncidentKind
    notes: Text | None = None
    from_memory: bool = False
    photo_ids: list[RecordId] = msgspec.field(default_factory=list)


class Photo(Struct, tag="photo", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """A shrunk photo's identity. Its bytes travel in `LogExport.photos`, checked by sha256."""

    id: RecordId
    mime: Literal["image/jpeg", "image/webp", "image/png"]
    sha256: Sha256Hex
    size_bytes: Annotated[int, Meta(ge=1, le=2_000_000)]
    width: Annotated[int, Meta(ge=1, le=10_000)] | None = None
    height: Annotated[int, Meta(ge=1, le=10_000)] | None = None


Record = Employer | Job | Shift | PayStub | Expense | Incident | Photo
RecordType = Literal["employer", "job", "shift", "pay_stub", "expense", "incident", "photo"]
RECORD_TYPES: tuple[str, ...] = (
    "employer",
    "job",
    "shift",
    "pay_stub",
    "expense",
    "incident",
    "photo",
)


# --- the journal -------------------------------------------------------------------------


class Receipt(Struct, forbid_unknown_fields=True, kw_only=True):
    """What POST /api/v1/receipts answered: the server saw `hash` at `time`.

    Same fields and patterns as `server.evidence.receipts.Receipt`; the signed message is
    `cartilla-receipt-v1\\n<hash>\\n<time>` (see docs/evidence-bundle.md).
    """

    hash: Sha256Hex
    time: Annotated[str, Meta(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
    key_id: Annotated[str, Meta(pattern=r"^[0-9a-f]{16}$")]
    signature: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{86}$")]


#: The phone's signing-key algorithms (server/evidence/signing.py reads both).
KeyAlgorithm = Literal["Ed25519", "ECDSA-P256-SHA256"]


class PhoneKey(Struct, forbid_unknown_fields=True, kw_only=True):
    """The phone's bundle-signing key, bound into the chain by a `key` entry.

    `fingerprint` is the SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo, the
    same value as a bundle's `Cartilla-Key-Fingerprint`. Only the fingerprint is journaled:
    the key itself travels in the bundle's `public-key.pem`.
    """

    algorithm: KeyAlgorithm
    fingerprint: Sha256Hex


JournalKind = Literal["create", "edit", "delete", "receipt", "key"]


class JournalEntry(Struct, forbid_unknown_fields=True, kw_only=True):
    """One link of the append-only chain. Nothing is ever changed in place:

    - `create`: `data` is the new record;
    - `edit`: `data` is the whole new record, `reason` says why; the old value stays in the
      earlier entry named by `replaces` (its hash);
    - `delete`: `data` is null, `reason` says why, `replaces` names the last version;
    - `receipt`: `receipt` holds a server receipt for the chain head `receipt.hash`;
    - `key`: `key` names the phone's signing key (written when the phone first makes its key
      and whenever the key changes, before any receipt is asked for, so receipts anchor it).
      The `key` member appears only in key entries.
    """

    seq: Annotated[int, Meta(ge=0)]
    time: Instant
    kind: JournalKind
    record_type: RecordType | None = None
    record_id: RecordId | None = None
    data: Record | None = None
    replaces: Sha256Hex | None = None
    reason: Text | None = None
    receipt: Receipt | None = None
    key: PhoneKey | None = None
    prev_hash: Sha256Hex
    hash: Sha256Hex


class PhotoFile(Struct, forbid_unknown_fields=True, kw_only=True):
    """A photo's bytes, base64, next to the journal that names it by sha256."""

    id: RecordId
    mime: Literal["image/jpeg", "image/webp", "image/png"]
    sha256: Sha256Hex
    data_base64: str


class LogRecords(Struct, kw_only=True):
    """The records of a log: what the wage check reads (a `LogExport` has them all)."""

    employers: list[Employer] = msgspec.field(default_factory=list)
    jobs: list[Job] = msgspec.field(default_factory=list)
    shifts: list[Shift] = msgspec.field(default_factory=list)
    pay_stubs: list[PayStub] = msgspec.field(default_factory=list)
    expenses: list[Expense] = msgspec.field(default_factory=list)
    incidents: list[Incident] = msgspec.field(default_factory=list)


class LogExport(LogRecords, forbid_unknown_fields=True, kw_only=True):
    """The whole log as the phone exports it (`log.json`).

    The record lists are the current state; they must equal what replaying `journal` gives.
    """

    format: Literal["cartilla-log"] = "cartilla-log"
    format_version: Literal[1] = 1
    exported_at: Instant
    app_version: ShortText | None = None
    lang: Annotated[str, Meta(max_length=35)] = "es"
    chain_head: Sha256Hex
    photos: list[PhotoFile] = msgspec.field(default_factory=list)
    journal: list[JournalEntry] = msgspec.field(default_factory=list)


#: Which LogExport list holds each record type.
RECORD_LISTS: dict[str, str] = {
    "employer": "employers",
    "job": "jobs",
    "shift": "shifts",
    "pay_stub": "pay_stubs",
    "expense": "expenses",
    "incident": "incidents",
}


# --- canonical JSON and hashing -------------------------------------------------------------


#: One canonical form for the whole server (server/canonical.py); the phone's twin is
#: pwa/js/canonical.js, and tests/canonical_vectors.json holds what both must produce.
canonical_json = canonical.canonical_json
CanonicalJsonError = canonical.JsonError


def entry_hash(entry: dict[str, Any]) -> str:
    """The hash of a raw journal entry (a dict as decoded from JSON), ignoring its `hash`."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    prev = body.get("prev_hash")
    if not isinstance(prev, str):
        raise CanonicalJsonError("json_syntax", "$.prev_hash: missing")
    return hashlib.sha256(prev.encode("utf-8") + b"\n" + canonical_json(body)).hexdigest()


def append_entry(
    journal: list[dict[str, Any]],
    *,
    time: str,
    kind: str,
    data: dict[str, Any] | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    replaces: str | None = None,
    reason: str | None = None,
    receipt: dict[str, Any] | None = None,
    key: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append a raw entry to `journal` the way the phone does (all members present, `key`
    only in key entries) and return it. For tests, fixtures and tools; the phone's twin is
    `makeEntry` in pwa/js/log/journal.js."""
    prev = journal[-1]["hash"] if journal else GENESIS_HASH
    if data is not None:
        record_type = record_type or data.get("type")
        record_id = record_id or data.get("id")
    entry: dict[str, Any] = {
        "seq": len(journal),
        "time": time,
        "kind": kind,
        "record_type": record_type,
        "record_id": record_id,
        "data": data,
        "replaces": replaces,
        "reason": reason,
        "receipt": receipt,
    }
    if key is not None:
        entry["key"] = key
    entry["prev_hash"] = prev
    entry["hash"] = entry_hash(entry)
    journal.append(entry)
    return entry


def export_from_journal(
    journal: list[dict[str, Any]],
    *,
    exported_at: str,
    photos: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A raw `log.json` document whose record lists are the replay of `journal`."""
    state: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in RECORD_TYPES}
    for entry in journal:
        if entry["kind"] in ("create", "edit") and entry["data"] is not None:
            state[entry["data"]["type"]][entry["data"]["id"]] = entry["data"]
        elif entry["kind"] == "delete":
            state[entry["record_type"]].pop(entry["record_id"], None)
    doc: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at,
        "chain_head": journal[-1]["hash"] if journal else GENESIS_HASH,
    }
    for rtype, list_name in RECORD_LISTS.items():
        doc[list_name] = [copy.deepcopy(r) for r in state[rtype].values()]
    doc["photos"] = photos or []
    doc["journal"] = journal
    return doc


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with a log's chain, records or photos, in Spanish and English."""

    code: str
    seq: int | None
    es: str
    en: str


@dataclass(frozen=True)
class ChainReport:
    """Result of `verify_log`: ok, the chain head and every problem found."""

    ok: bool
    entries: int
    head: str
    problems: list[ChainProblem]


class LogFormatError(ValueError):
    """The file is not a Cartilla log; `es`/`en` say why in plain words."""

    def __init__(self, es: str, en: str):
        super().__init__(en)
        self.es = es
        self.en = en


#: What each strict-reading code means, in the words a person reads.
_JSON_PROBLEMS = {
    "json_syntax": ("no se puede leer como JSON", "it cannot be read as JSON"),
    "json_duplicate_key": (
        "un nombre de campo aparece dos veces en el mismo objeto",
        "a field name appears twice in the same object",
    ),
    "json_too_deep": ("tiene demasiados niveles anidados", "it is nested too deeply"),
    "json_lone_surrogate": ("tiene un carácter de texto roto", "it has a broken text character"),
    "json_number": (
        "tiene un número que no es entero o es demasiado grande",
        "it has a number that is not whole or is too large",
    ),
}


def decode_log(raw: bytes) -> tuple[LogExport, dict[str, Any]]:
    """Parse and validate a log file. Returns the Structs and the raw JSON (needed for hashes)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogFormatError(
            "El archivo no es texto UTF-8.", "The file is not UTF-8 text."
        ) from exc
    try:
        # The same strict reading as bundles: a duplicated key could hide a record from the hash.
        doc = canonical.loads(raw)
    except canonical.JsonError as exc:
        es, en = _JSON_PROBLEMS.get(exc.code, _JSON_PROBLEMS["json_syntax"])
        raise LogFormatError(
            f"El archivo no es JSON válido: {es} ({exc.code}).",
            f"The file is not valid JSON: {en} ({exc.code}).",
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise LogFormatError(
            'El archivo no es un registro de Cartilla (falta "format": "cartilla-log").',
            'The file is not a Cartilla log (missing "format": "cartilla-log").',
        )
    try:
        log = msgspec.convert(doc, LogExport)
    except msgspec.ValidationError as exc:
        raise LogFormatError(
            f"El registro tiene un dato no válido: {exc}",
            f"The log has an invalid value: {exc}",
        ) from exc
    return log, doc


def replay(journal: list[JournalEntry]) -> dict[str, dict[str, Record]]:
    """Current records after applying every entry in order: type -> id -> record."""
    state: dict[str, dict[str, Record]] = {t: {} for t in RECORD_TYPES}
    for entry in journal:
        if entry.kind in ("create", "edit") and entry.data is not None:
            kind = type(entry.data).__struct_config__.tag
            state[str(kind)][entry.data.id] = entry.data
        elif entry.kind == "delete" and entry.record_type and entry.record_id:
            state[entry.record_type].pop(entry.record_id, None)
    return state


def verify_log(log: LogExport, raw: dict[str, Any]) -> ChainReport:
    """Check the hash chain, the rules of the journal, the record lists and the photos."""
    problems: list[ChainProblem] = []

    def bad(code: str, seq: int | None, es: str, en: str) -> None:
        problems.append(ChainProblem(code, seq, es, en))

    raw_entries = raw.get("journal", [])
    prev = GENESIS_HASH
    hashes: dict[str, JournalEntry] = {}
    for i, (entry, raw_entry) in enumerate(zip(log.journal, raw_entries, strict=True)):
        if entry.seq != i:
            bad("seq", i, f"Entrada {i}: número fuera de orden.", f"Entry {i}: out of order.")
        if entry.prev_hash != prev:
            bad(
                "broken_link",
                i,
                f"Entrada {i}: no enlaza con la anterior (falta o cambió una entrada).",
                f"Entry {i}: does not link to the previous one (an entry is missing or changed).",
            )
        try:
            computed = entry_hash(raw_entry)
        except CanonicalJsonError as exc:
            bad("not_canonical", i, f"Entrada {i}: {exc}", f"Entry {i}: {exc}")
            computed = ""
        if computed != entry.hash:
            bad(
                "hash_mismatch",
                i,
                f"Entrada {i}: su contenido cambió después de guardarse.",
                f"Entry {i}: its content changed after it was saved.",
            )
        check_entry_rules(entry, i, hashes, bad)
        hashes[entry.hash] = entry
        prev = entry.hash
    head = prev
    if log.chain_head != head:
        bad(
            "head_mismatch",
            None,
            "La cabeza de la cadena no coincide con la última entrada.",
            "The chain head does not match the last entry.",
        )
    state = replay(log.journal)
    for rtype, list_name in RECORD_LISTS.items():
        listed = {r.id: r for r in getattr(log, list_name)}
        if listed != state[rtype]:
            bad(
                "records_differ",
                None,
                f"La lista «{list_name}» no coincide con el diario.",
                f"The list '{list_name}' does not match the journal.",
            )
    known_photos = state["photo"]
    for photo in log.photos:
        ref = known_photos.get(photo.id)
        try:
            data = base64.b64decode(photo.data_base64, validate=True)
        except (binascii.Error, ValueError):
            data = b""
        digest = hashlib.sha256(data).hexdigest()
        if not (isinstance(ref, Photo) and digest == ref.sha256 == photo.sha256):
            bad(
                "photo_mismatch",
                None,
                f"La foto {photo.id} no coincide con el diario.",
                f"Photo {photo.id} does not match the journal.",
            )
    return ChainReport(ok=not problems, entries=len(log.journal), head=head, problems=problems)


def check_entry_rules(
    entry: JournalEntry,
    i: int,
    earlier: dict[str, JournalEntry],
    bad: Any,
) -> None:
    """Journal rules: edits and deletes give a reason and name the version they replace."""
    if entry.kind in ("create", "edit"):
        if entry.data is None:
            bad("no_data", i, f"Entrada {i}: falta el registro.", f"Entry {i}: record missing.")
            return
        tag = type(entry.data).__struct_config__.tag
        if entry.record_type != tag or entry.record_id != entry.data.id:
            bad(
                "record_mismatch",
                i,
                f"Entrada {i}: tipo o id no coinciden con el registro.",
                f"Entry {i}: type or id do not match the record.",
            )
    if entry.kind in ("edit", "delete"):
        if not (entry.reason and entry.reason.strip()):
            bad(
                "no_reason",
                i,
                f"Entrada {i}: un cambio o borrado debe decir por qué.",
                f"Entry {i}: an edit or delete must say why.",
            )
        old = earlier.get(entry.replaces or "")
        if old is None or old.record_id != entry.record_id:
            bad(
                "replaces_unknown",
                i,
                f"Entrada {i}: no dice qué versión anterior reemplaza.",
                f"Entry {i}: does not name the earlier version it replaces.",
            )
    if entry.kind == "receipt" and entry.receipt is None:
        bad("no_receipt", i, f"Entrada {i}: falta el recibo.", f"Entry {i}: receipt missing.")
    if (entry.kind == "key") != (entry.key is not None):
        bad(
            "no_key",
            i,
            f"Entrada {i}: una entrada de llave debe nombrar la llave, y solo ella la nombra.",
            f"Entry {i}: a key entry must name the key, and only a key entry names one.",
        )


def verify_bytes(raw: bytes) -> ChainReport:
    """Decode and verify a log file in one step (raises LogFormatError for non-logs)."""
    log, doc = decode_log(raw)
    if len(doc.get("journal", [])) != len(log.journal):
        raise LogFormatError("Diario ilegible.", "Unreadable journal.")
    return verify_log(log, doc)


def log_schema() -> dict[str, Any]:
    """The JSON Schema of `LogExport`, as written to content/schema/log.schema.json."""
    return msgspec.json.schema(LogExport)


def log_schema_json() -> bytes:
    """The schema file's exact bytes (formatted stably for small diffs)."""
    return msgspec.json.format(msgspec.json.encode(log_schema()), indent=2) + b"\n"
