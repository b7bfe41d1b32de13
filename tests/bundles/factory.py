"""Making evidence bundles for tests: a month of records as the phone would journal them.

`make_log()` writes journal entries with the real hash chain of server/log_format.py, the
phone's key bound first (a `key` entry, before any receipt, as the phone does);
`make_bundle()` seals them into a signed BagIt ZIP with server/evidence/build.py. Bad
bundles are made in the tests by changing one thing of a good one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from server import log_format
from server.evidence import build, receipts

ROOT = "cartilla-evidence-2026-06-30"
CREATED = "2026-06-30T18:00:00Z"


def tiny_jpeg(seed: int, size: int = 2000, width: int = 1600, height: int = 1200) -> bytes:
    """Bytes that stand in for a shrunk photo: a real JPEG header (an APP0 segment, a SOF0
    declaring `width` x `height`, a scan header) around stand-in data. The verifier reads the
    header (type and size), never the pixels."""
    body = hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
    sos = bytes([3, 1, 0, 2, 0, 3, 0, 0, 63, 0])
    return (
        b"\xff\xd8"
        + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
        + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
        + b"\xff\xda" + struct.pack(">H", len(sos) + 2) + sos
        + body[:size].replace(b"\xff", b"\xfe")  # scan data: no markers inside
        + b"\xff\xd9"
    )  # fmt: skip


@dataclass
class LogBuilder:
    """Appends journal entries the way the phone does: seq, time, prev_hash, hash."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    photos: dict[str, bytes] = field(default_factory=dict)

    @property
    def head(self) -> str:
        return self.entries[-1]["hash"] if self.entries else log_format.GENESIS_HASH

    def append(self, body: dict[str, Any]) -> dict[str, Any]:
        entry = {"seq": len(self.entries), **body, "prev_hash": self.head}
        entry["hash"] = log_format.entry_hash(entry)
        self.entries.append(entry)
        return entry

    def create(self, record: dict[str, Any], when: str) -> dict[str, Any]:
        return self.append(
            {
                "time": when,
                "kind": "create",
                "record_type": record["type"],
                "record_id": record["id"],
                "data": record,
            }
        )

    def photo(self, seed: int, when: str, make: Any = None) -> str:
        data = make(seed) if make else tiny_jpeg(seed)
        digest = hashlib.sha256(data).hexdigest()
        pid = f"ph{seed}"
        self.create(
            {
                "type": "photo",
                "id": pid,
                "mime": "image/jpeg",
                "sha256": digest,
                "size_bytes": len(data),
            },
            when,
        )
        self.photos[f"data/photos/{digest}.jpg"] = data
        return pid

    def bind_key(self, worker: build.SigningKey | dict[str, str], when: str) -> dict[str, Any]:
        """A `key` entry naming the phone's signing key (what the phone writes first).

        `worker`: a private key, or the {algorithm, fingerprint} a browser's key gave."""
        binding = dict(worker) if isinstance(worker, dict) else build.key_binding(worker)
        return self.append({"time": when, "kind": "key", "key": binding})

    def receipt(self, key: Any, when: str) -> dict[str, Any]:
        """`key`: a private key, or a function head -> receipt dict (e.g. a real server)."""
        if callable(key):
            signed = key(self.head)
        else:
            made = receipts.sign_receipt(key, self.head, when[:19] + "Z")
            signed = {
                "hash": made.hash,
                "time": made.time,
                "key_id": made.key_id,
                "signature": made.signature,
            }
        return self.append({"time": when, "kind": "receipt", "receipt": signed})


def make_log(
    server_key: Any,
    days: int = 30,
    start: dt.date = dt.date(2026, 6, 1),
    photo: Any = None,
    worker: build.SigningKey | dict[str, str] | None = None,
) -> LogBuilder:
    """A month of daily shifts at one farm, weekly pay stubs with photos, a receipt a week.

    `worker` is the phone key bound first; by default the one `new_keys()` made together
    with `server_key` (pass it when `server_key` is a function, e.g. a live server).
    """
    worker = worker if worker is not None else _WORKER_FOR.get(id(server_key))
    assert worker is not None, "make_log needs the phone's key: pass worker=keys.worker"
    log = LogBuilder()
    t0 = f"{start.isoformat()}T12:00:00.000Z"
    log.bind_key(worker, t0)
    log.create(
        {"type": "employer", "id": "emp1", "name": "Rancho Los Pinos", "address": "Salinas, CA"},
        t0,
    )
    log.create(
        {
            "type": "job",
            "id": "job1",
            "employer_id": "emp1",
            "state": "CA",
            "industry": "agriculture",
            "status": "h2a",
            "pay_type": "hourly",
            "promised_rate_cents": 1900,
            "pay_frequency": "weekly",
            "workweek_start": "monday",
        },
        t0,
    )
    for i in range(days):
        day = start + dt.timedelta(days=i)
        # Journaled just after the shift, so times only go forward and end before CREATED.
        when = f"{day.isoformat()}T16:45:00.000Z"
        log.create(
            {
                "type": "shift",
                "id": f"s{i}",
                "job_id": "job1",
                "date": day.isoformat(),
                "start": "06:00",
                "end": "16:30",
                "break_minutes": 30,
                "notes": "Cosecha de fresa" if i % 5 == 0 else None,
            },
            when,
        )
        if day.weekday() == 4:
            pid = log.photo(i, when, photo)
            log.create(
                {
                    "type": "pay_stub",
                    "id": f"p{i}",
                    "job_id": "job1",
                    "pay_date": day.isoformat(),
                    "period_start": (day - dt.timedelta(days=4)).isoformat(),
                    "period_end": day.isoformat(),
                    "minutes_paid": 2400,
                    "gross_cents": 64000,
                    "net_cents": 58000,
                    "photo_ids": [pid],
                },
                when,
            )
            log.receipt(server_key, f"{day.isoformat()}T17:00:00.000Z")
    log.create(
        {
            "type": "incident",
            "id": "inc1",
            "job_id": "job1",
            "date": (start + dt.timedelta(days=10)).isoformat(),
            "kind": "injury",
            "notes": "Corte en la mano",
        },
        log.entries[-1]["time"],  # written down after the last shift, about day 10
    )
    return log


def summary_for(log: LogBuilder, **overrides: Any) -> dict[str, Any]:
    shifts = sum(1 for e in log.entries if e.get("record_type") == "shift")
    pays = sum(1 for e in log.entries if e.get("record_type") == "pay_stub")
    summary: dict[str, Any] = {
        "format": "cartilla-evidence",
        "version": 1,
        "created": CREATED,
        "app_version": "0.1.0",
        "worker_name": "María López",
        "employers": [
            {
                "id": "emp1",
                "name": "Rancho Los Pinos",
                "state": "CA",
                "industry": "agriculture",
                "status": "h2a",
            }
        ],
        "period": {"start": "2026-06-01", "end": "2026-06-30"},
        "chain": {
            "head": log.head,
            "length": len(log.entries),
            "included": sum(1 for e in log.entries if not e.get("withheld")),
            "withheld": sum(1 for e in log.entries if e.get("withheld")),
        },
        "counts": {
            "shifts": shifts,
            "pay": pays,
            "expenses": 0,
            "incidents": 1,
            "photos": len(log.photos),
        },
        "left_out": [],
        "photos": [
            {"path": path, "sha256": path.split("/")[-1].split(".")[0], "kind": "pay_stub"}
            for path in sorted(log.photos)
        ],
        "wage_check": None,
    }
    summary.update(overrides)
    return summary


GUIDES = {
    "guides": [
        {
            "id": "h2a-derechos",
            "lang": "es",
            "version": 3,
            "hash": "ab" * 32,
            "title": "Sus derechos con visa H-2A",
            "reviewed": "2026-05-01",
            "review_status": "draft",
        }
    ],
    "pack_hash": "cd" * 32,
    "data_hash": "ef" * 32,
}


#: id(server key) -> the phone key paired with it in a Keys, so make_log(keys.server) binds
#: keys.worker (a later pairing of the same server key wins).
_WORKER_FOR: dict[int, build.SigningKey] = {}


@dataclass
class Keys:
    worker: build.SigningKey
    server: ed25519.Ed25519PrivateKey

    def __post_init__(self) -> None:
        _WORKER_FOR[id(self.server)] = self.worker

    @property
    def known(self) -> dict[str, ed25519.Ed25519PublicKey]:
        public = self.server.public_key()
        return {receipts.key_id_of(public): public}


def new_keys(ecdsa: bool = False) -> Keys:
    worker: build.SigningKey = (
        ec.generate_private_key(ec.SECP256R1()) if ecdsa else ed25519.Ed25519PrivateKey.generate()
    )
    return Keys(worker=worker, server=ed25519.Ed25519PrivateKey.generate())


def make_bundle(keys: Keys, log: LogBuilder | None = None, **summary_overrides: Any) -> bytes:
    log = log or make_log(keys.server, worker=keys.worker)
    return bundle_of(log, keys.worker, **summary_overrides)


def bundle_of(log: LogBuilder, worker: build.SigningKey, **summary_overrides: Any) -> bytes:
    """`log` sealed and signed by `worker` (which need not be the key the log binds)."""
    return build.build_bundle(
        ROOT,
        journal=log.entries,
        summary=summary_for(log, **summary_overrides),
        guides=GUIDES,
        photos=log.photos,
        key=worker,
        created=CREATED,
    )


def unzip(data: bytes) -> dict[str, bytes]:
    """name (relative to the bag folder) -> bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            i.filename.split("/", 1)[1]: archive.read(i)
            for i in archive.infolist()
            if not i.is_dir()
        }


def rezip(files: dict[str, bytes], root: str = ROOT) -> bytes:
    """Zip files again without resealing (what a careless tamperer does)."""
    return build.zip_files(root, files)


def reseal(files: dict[str, bytes], key: build.SigningKey) -> bytes:
    """Recompute manifests and re-sign with `key` (what a careful tamperer does)."""
    payload = {n: d for n, d in files.items() if n.startswith("data/")}
    from server.evidence.bag import parse_bag_info

    info = parse_bag_info(files["bag-info.txt"])
    keep = [
        (k, v)
        for k, v in info.items()
        if k not in ("Payload-Oxum", "Cartilla-Signature-Algorithm", "Cartilla-Key-Fingerprint")
    ]
    return build.zip_files(ROOT, build.seal(ROOT, payload, key, keep))
