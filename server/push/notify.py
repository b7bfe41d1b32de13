"""`cartilla notify`: tell each affected subscriber, once, which of their guides changed.

For every subscription the last announced content snapshot (its `baseline`) is compared with
the current index. Subscribers with changes in their state get ONE encrypted Web Push
message in their language listing the changed guides (each with its audience, so the phone,
which alone knows the worker's industry and status, keeps those that apply); the baseline
moves forward only when the push service accepted it, so a failed send is tried again on
the next run, and a second run sends nothing.

Sending is bounded (a thread pool of `concurrency` workers, batches of `batch_size`), uses
TTL >= 7 days, a Topic (a newer "guides changed" replaces an undelivered one), Urgency
normal and a fresh VAPID claims dict per call (pywebpush writes `aud`/`exp` into it).
404/410 remove the subscription; 429 and 5xx are retried, honouring Retry-After, a bounded
number of times, and tried again on the next run. Other answers (3xx, 4xx) are permanent:
after `store.MAX_PERMANENT_FAILURES` of them in a row the subscription is dropped.

Each outcome is committed as soon as the push service answers (one small transaction per
send, from the sending thread), so a run that crashes or is killed half-way resends nothing
that was delivered: the next run starts where the push services' answers left off.

Every endpoint is re-checked with `parse_endpoint` and the message goes to exactly the
canonical URL it returns. The HTTP session never follows a redirect (a 3xx is a failed send,
not an invitation to POST the VAPID token elsewhere) and ignores proxy environment
variables and .netrc (`trust_env` off).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
import requests
from py_vapid import Vapid01
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

from server.config import Settings
from server.push import store
from server.push.changes import Snapshot, build_payload, changes_for, read_index, snapshot_from_rows
from server.push.endpoints import EndpointRefused, parse_endpoint
from server.push.keys import load_vapid
from server.push.schema import PushProfile

#: Seconds a push service keeps an undelivered message: a phone off for a week still gets it.
TTL_SECONDS = 8 * 24 * 3600
#: Push services keep one undelivered message per Topic (<= 32 base64url characters).
TOPIC = "cartilla-guides"
URGENCY = "normal"
SUBJECT_PATTERN = re.compile(r"^(mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^\s/]+\.[^\s]+)$")

#: sent: accepted; gone: 404/410; rejected: permanent failure; failed: try next run;
#: deferred: 429/503 with Retry-After while `defer_retry_after` (the queue re-defers it).
Outcome = Literal["sent", "gone", "rejected", "failed", "deferred"]


class NotifyError(Exception):
    """A problem that stops the whole run (no index, no key, no subject)."""

    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en = en
        self.es = es


@dataclass
class NotifyOptions:
    subject: str | None
    dry_run: bool = False
    concurrency: int = 16
    batch_size: int = 500
    max_attempts: int = 4
    max_retry_wait: float = 60.0
    timeout: float = 10.0
    #: Queue workers: a 429/503 with Retry-After is not waited for in the thread; the
    #: outcome is "deferred" and the job schedules those subscribers again later.
    defer_retry_after: bool = False


@dataclass
class DryRunGroup:
    """Subscribers who would receive the same message."""

    subscribers: int
    payload: dict[str, Any]


@dataclass
class NotifyReport:
    sent: int = 0
    removed: int = 0
    failed: int = 0
    unchanged: int = 0
    dry_run: bool = False
    would_send: list[DryRunGroup] = field(default_factory=list)
    problems: dict[str, int] = field(default_factory=dict)
    #: Largest Retry-After (seconds) among deferred sends, and how many were deferred.
    retry_after: float = 0.0
    deferred: int = 0

    def note(self, problem: str) -> None:
        self.problems[problem] = self.problems.get(problem, 0) + 1

    def merge(self, other: NotifyReport) -> None:
        """Add another run's counts to this one (a worker sums its batches this way)."""
        self.sent += other.sent
        self.removed += other.removed
        self.failed += other.failed
        self.unchanged += other.unchanged
        self.deferred += other.deferred
        self.retry_after = max(self.retry_after, other.retry_after)
        for problem, count in other.problems.items():
            self.problems[problem] = self.problems.get(problem, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "sent": self.sent,
            "removed": self.removed,
            "failed": self.failed,
            "unchanged": self.unchanged,
            "would_send": [
                {"subscribers": g.subscribers, "payload": g.payload} for g in self.would_send
            ],
            "problems": self.problems,
        }


def retry_delay(retry_after: str | None, attempt: int, *, now: dt.datetime | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After if given, else 1, 2, 4...

    Retry-After may be delta-seconds or an HTTP date; anything unparseable falls back to
    exponential backoff.
    """
    backoff = float(2 ** (attempt - 1))
    if not retry_after:
        return backoff
    value = retry_after.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return backoff
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


class _NoRedirectSession(requests.Session):
    """A session that never follows redirects and never reads proxy settings or .netrc."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


class Sender:
    """Sends one payload to one subscription with retries; safe to share between threads."""

    def __init__(
        self,
        vapid: Vapid01,
        subject: str,
        options: NotifyOptions,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vapid = vapid
        self.subject = subject
        self.options = options
        self.sleep = sleep
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _NoRedirectSession()
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=8, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._local.session = session
        return session

    def send(self, row: dict[str, Any], payload: bytes) -> tuple[Outcome, str]:
        subscription = {
            # The canonical URL parse_endpoint made (callers set "url"); never a raw one.
            "endpoint": row["url"],
            "keys": {"p256dh": row["p256dh"], "auth": row["auth"]},
        }
        attempts = max(1, self.options.max_attempts)
        for attempt in range(1, attempts + 1):
            try:
                webpush(
                    subscription,
                    data=payload.decode(),
                    vapid_private_key=self.vapid,
                    # A fresh dict every call: webpush() writes aud/exp into it.
                    vapid_claims={"sub": self.subject},
                    ttl=TTL_SECONDS,
                    headers={"Topic": TOPIC, "Urgency": URGENCY},
                    timeout=self.options.timeout,
                    requests_session=self._session(),
                )
                return "sent", ""
            except WebPushException as exc:
                status = exc.status_code
                if status in (404, 410):
                    return "gone", f"HTTP {status}"
                if status is None:
                    return "failed", "no answer"
                if not (status == 429 or status >= 500):
                    return "rejected", f"HTTP {status}"
                problem = f"HTTP {status}"
                wait = retry_delay(exc.retry_after, attempt)
                if self.options.defer_retry_after and exc.retry_after and status in (429, 503):
                    return "deferred", f"{wait:.3f}"
            except requests.RequestException as exc:
                problem = type(exc).__name__
                wait = retry_delay(None, attempt)
            except Exception as exc:
                # Stored keys the crypto library rejects, and similar: never crash the run.
                return "rejected", type(exc).__name__
            if attempt == attempts:
                return "failed", f"{problem} after {attempts} attempts"
            if wait > self.options.max_retry_wait:
                return "failed", f"{problem}, Retry-After {wait:.0f}s is too long"
            self.sleep(wait)
        return "failed", "no attempts"


def _profile_of(row: dict[str, Any]) -> PushProfile:
    return msgspec.convert(
        {"states": json.loads(row["states"]), "language": row["language"]}, PushProfile
    )


class _Planner:
    """Works out each subscriber's payload, caching by (baseline, profile)."""

    def __init__(
        self, db: Any, current: Snapshot, current_id: int | None, *, test_mode: bool
    ) -> None:
        self.db = db
        self.test_mode = test_mode
        self.current = current
        self.current_id = current_id
        self._snapshots: dict[int, Snapshot | None] = {}
        self._payloads: dict[tuple[int, str, str], bytes | None] = {}

    def _snapshot(self, snapshot_id: int) -> Snapshot | None:
        if snapshot_id not in self._snapshots:
            rows = store.snapshot_rows(self.db, snapshot_id)
            self._snapshots[snapshot_id] = snapshot_from_rows(rows) if rows else None
        return self._snapshots[snapshot_id]

    def payload_for(self, row: dict[str, Any]) -> bytes | None:
        """The message for this subscriber, or None if nothing changed for them."""
        baseline = row["baseline"]
        if baseline is None or baseline == self.current_id:
            return None
        key = (int(baseline), row["states"], row["language"])
        if key not in self._payloads:
            old = self._snapshot(int(baseline))
            if old is None or old.fingerprint == self.current.fingerprint:
                payload = None
            else:
                changed = changes_for(_profile_of(row), old, self.current)
                payload = build_payload(_profile_of(row), changed) if changed else None
            if len(self._payloads) > 50_000:
                self._payloads.clear()  # many distinct profiles: keep memory bounded
            self._payloads[key] = payload
        return self._payloads[key]


def make_sender(
    settings: Settings,
    options: NotifyOptions,
    sender_factory: Callable[[Vapid01, str, NotifyOptions], Sender] = Sender,
) -> Sender:
    """The sender for a run or a queue worker (checks the subject, loads the VAPID key)."""
    subject = options.subject or ""
    if not SUBJECT_PATTERN.match(subject):
        raise NotifyError(
            "Push services need a contact for the sender: pass --subject mailto:you@example.org"
            " (or an https:// URL), or set CARTILLA_VAPID_SUBJECT.",
            "Los servicios de push piden un contacto del remitente: use --subject "
            "mailto:usted@ejemplo.org (o una URL https://) o defina CARTILLA_VAPID_SUBJECT.",
        )
    try:
        vapid = load_vapid(settings.vapid_key_path)
    except Exception as exc:
        en, es = getattr(exc, "en", str(exc)), getattr(exc, "es", str(exc))
        raise NotifyError(en, es) from None
    return sender_factory(vapid, subject, options)


def run_notify(
    settings: Settings,
    options: NotifyOptions,
    *,
    sender_factory: Callable[[Vapid01, str, NotifyOptions], Sender] = Sender,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> NotifyReport:
    """Compare the index with what was announced, send, and return the counts."""
    current = read_index(settings.index_path)
    report = NotifyReport(dry_run=options.dry_run)
    sender: Sender | None = None
    if not options.dry_run:
        sender = make_sender(settings, options, sender_factory)

    with (
        store.open_push_db(settings) as db,
        store.open_push_db(settings, threads=True) as record_db,
    ):
        recorder = _Recorder(record_db)
        current_id = store.find_snapshot(db, current.fingerprint)
        if not options.dry_run and current_id is None:
            current_id = store.create_snapshot(
                db, current.fingerprint, [g.as_row() for g in current.guides()], now=now()
            )
        if not options.dry_run and current_id is not None:
            store.set_current_snapshot(db, current_id)
        planner = _Planner(db, current, current_id, test_mode=settings.test_mode)
        groups: dict[bytes, int] = {}
        executor = (
            ThreadPoolExecutor(max_workers=max(1, options.concurrency), thread_name_prefix="push")
            if sender
            else None
        )
        try:
            for batch in store.iter_subscription_batches(db, max(1, options.batch_size)):
                send_batch(recorder, batch, planner, sender, executor, current_id, report, groups)
        finally:
            if executor:
                executor.shutdown(wait=True)
        if not options.dry_run and current_id is not None:
            store.prune_snapshots(db, keep=current_id)
    report.would_send = [
        DryRunGroup(subscribers=count, payload=json.loads(payload))
        for payload, count in groups.items()
    ]
    return report


class _Recorder:
    """Commits each outcome from the sending threads, one at a time, as it happens."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._lock = threading.Lock()

    def outcome(self, endpoint: str, outcome: Outcome, baseline: int) -> bool:
        """Record one send's outcome; True if the subscription is gone from the database."""
        with self._lock:
            if outcome == "sent":
                store.record_delivered(self.db, endpoint, baseline)
                return False
            if outcome == "gone":
                store.delete_subscription(self.db, endpoint)
                return True
            if outcome == "rejected":
                return store.record_permanent_failure(self.db, endpoint)
            return False  # transient: the next run tries again, nothing to count

    def unchanged(self, endpoints: list[str], baseline: int) -> None:
        if endpoints:
            with self._lock:
                store.advance_unchanged(self.db, endpoints, baseline)


def send_batch(
    recorder: _Recorder,
    batch: list[dict[str, Any]],
    planner: _Planner,
    sender: Sender | None,
    executor: ThreadPoolExecutor | None,
    current_id: int | None,
    report: NotifyReport,
    groups: dict[bytes, int],
) -> None:
    """Plan and send one batch of subscription rows (the in-process run and a queue job).

    Each outcome is committed as the push service answers; counts go into `report`.
    """
    advanced: list[str] = []
    refused: list[tuple[str, str]] = []
    to_send: list[tuple[dict[str, Any], bytes]] = []
    for row in batch:
        try:
            payload = planner.payload_for(row)
        except (ValueError, TypeError, msgspec.ValidationError):
            refused.append((row["endpoint"], "stored subscription is malformed"))
            continue
        if payload is None:
            report.unchanged += 1
            if row["baseline"] != current_id:
                advanced.append(row["endpoint"])
            continue
        try:
            target = parse_endpoint(row["endpoint"], test_mode=planner.test_mode)
        except EndpointRefused as refusal:
            refused.append((row["endpoint"], f"endpoint {refusal}"))
            continue
        if sender is None:
            groups[payload] = groups.get(payload, 0) + 1
            continue
        to_send.append(({**row, "url": target.url}, payload))
    if sender is None or executor is None or current_id is None:
        report.failed += len(refused)
        for _endpoint, problem in refused:
            report.note(problem)
        return
    baseline = current_id
    recorder.unchanged(advanced, baseline)
    for endpoint, problem in refused:
        report.failed += 1
        report.note(problem)
        if recorder.outcome(endpoint, "rejected", baseline):
            report.removed += 1
            report.note(f"removed after {store.MAX_PERMANENT_FAILURES} permanent failures")

    def deliver(item: tuple[dict[str, Any], bytes]) -> tuple[Outcome, str, bool]:
        row, payload = item
        outcome, detail = sender.send(row, payload)
        # Committed before this thread takes the next subscriber.
        return outcome, detail, recorder.outcome(row["endpoint"], outcome, baseline)

    results: Iterator[tuple[Outcome, str, bool]] = executor.map(deliver, to_send)
    for outcome, detail, dropped in results:
        if outcome == "deferred":
            report.deferred += 1
            report.retry_after = max(report.retry_after, float(detail))
        elif outcome == "sent":
            report.sent += 1
        elif outcome == "gone":
            report.removed += 1
        else:
            report.failed += 1
            report.note(detail)
            if dropped:
                report.removed += 1
                report.note(f"removed after {store.MAX_PERMANENT_FAILURES} permanent failures")
