"""The push fan-out queue (PostgreSQL only): `cartilla notify` queues batches of
subscriptions, `cartilla worker` processes send them.

Jobs live in procrastinate's tables in the same PostgreSQL database as the subscriptions
(created by the yoyo migration in server/migrations/queue/). One job is one batch: the
subscriptions with endpoint in (`after`, `through`] (`through` null: to the end) that were not
yet told about content snapshot `snapshot`, at most `batch_size` of them when queued. Never one
job per phone: 2 million subscriptions are 4,000 jobs.

A job plans each payload with the code of the in-process run (`notify.send_batch`), sends with
the worker's bounded thread pool and commits each outcome as the push service answers. A job
that runs again (a worker killed half-way and its job recovered by another worker, or a
Retry-After re-run) therefore skips everyone already at the snapshot: nothing delivered is
sent twice. The window that remains is a single send per sending thread: accepted by the
push service, the process killed before the commit (the Topic header makes a repeat replace
the first on the push service if the phone has not fetched it yet).

Push-service limits: a 429/503 with Retry-After is not waited out in a sending thread. The
send is "deferred", this worker sends nothing more to that push service (host) until the time
has passed, and the job raises `RetryLater`, which the retry strategy turns into "run this job
again no sooner than Retry-After" (procrastinate's retry, the same job, no new one), at most
`MAX_DEFERRALS` times. Without Retry-After a 429/5xx is retried in the thread with
exponential backoff, as the in-process run does. Each worker holds its own limits: another
worker learns a push service's Retry-After from its own 429.

A job whose snapshot is no longer the current one (a newer `cartilla notify` ran) does
nothing: the newer jobs cover the same subscribers with the newer content.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import procrastinate
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.types import JSONDict

from server import storage
from server.config import Settings
from server.push import notify, store
from server.push.changes import Snapshot, read_index

QUEUE = "cartilla_push"
TASK = "cartilla.push_batch"
#: A Retry-After longer than this (seconds) is not waited for: that batch stops and its
#: subscribers are tried again by the next `cartilla notify`.
MAX_RETRY_AFTER = 6 * 3600.0
#: Times one batch runs again for Retry-After before it stops (the next notify retries it).
MAX_DEFERRALS = 10
#: Times one batch runs again because the database was busy or unreachable.
MAX_STORAGE_RETRIES = 5

logger = logging.getLogger(__name__)


class QueueError(Exception):
    """The queue cannot be used (no PostgreSQL configured); es/en like NotifyError."""

    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en = en
        self.es = es


def require_database(settings: Settings) -> str:
    if not settings.database_url:
        raise QueueError(
            "The push queue needs PostgreSQL: set CARTILLA_DATABASE_URL (see docs/deploy.md)."
            " Without it, `cartilla notify` sends from its own process.",
            "La cola de avisos necesita PostgreSQL: defina CARTILLA_DATABASE_URL (vea "
            "docs/deploy.md). Sin ella, `cartilla notify` envía desde su propio proceso.",
        )
    return settings.database_url


# -- queueing (cartilla notify) -----------------------------------------------------------

#: The subscriptions a batch covers: not yet at the snapshot (null baselines are advanced).
_PENDING = "(baseline IS NULL OR baseline <> ?)"


def batch_ranges(db: storage.Database, snapshot_id: int, batch_size: int) -> list[Batch]:
    """Consecutive (after, through] endpoint ranges of at most `batch_size` subscriptions
    that are not yet at `snapshot_id`; the last range is open-ended (through None), so a
    subscription added after queueing is covered too."""
    batches: list[Batch] = []
    last = ""
    while True:
        page = db.query(
            "SELECT max(endpoint) AS through, count(*) AS n FROM (SELECT endpoint FROM"
            f" subscriptions WHERE endpoint > ? AND {_PENDING} ORDER BY endpoint LIMIT ?)"
            " AS page",
            [last, snapshot_id, batch_size],
        )[0]
        if not page["n"]:
            break
        batches.append(Batch(after=last, through=str(page["through"]), size=int(page["n"])))
        last = str(page["through"])
    if batches:
        batches[-1].through = None
    return batches


@dataclass
class Batch:
    after: str
    through: str | None
    size: int


@dataclass
class QueuedReport:
    """What `cartilla notify` queued."""

    snapshot: int
    batches: int = 0
    subscriptions: int = 0
    #: Jobs for this snapshot already waiting or running: nothing new was queued.
    already_queued: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "queued": True,
            "snapshot": self.snapshot,
            "batches": self.batches,
            "subscriptions": self.subscriptions,
            "already_queued": self.already_queued,
        }


def make_app(database_url: str) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=database_url, max_size=4)
    )
    app.task(name=TASK, queue=QUEUE, pass_context=True, retry=_RetryStrategy())(_push_batch)
    return app


def open_queue_tables(database_url: str) -> None:
    """Apply the queue's migration (procrastinate's schema) once; safe from many processes."""
    storage.migrate(database_url, "queue")


def _waiting_jobs(db: storage.Database, snapshot_id: int) -> int:
    return int(
        db.value(
            "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = ? AND task_name = ?"
            " AND status IN ('todo', 'doing') AND (args->>'snapshot')::bigint = ?",
            [QUEUE, TASK, snapshot_id],
        )
    )


def enqueue_notify(
    settings: Settings,
    options: notify.NotifyOptions,
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> QueuedReport:
    """Record the current content state as the one to announce and queue its batches.

    The same checks as an in-process run come first (an index, the VAPID key and subject
    the workers will sign with), so a broken setup is reported here, not by idle workers.
    Running it again while that state's batches are still waiting queues nothing more.
    """
    database_url = require_database(settings)
    current = read_index(settings.index_path)
    notify.make_sender(settings, options)  # checks only: the workers send
    open_queue_tables(database_url)
    with store.open_push_db(settings) as db:
        current_id = store.find_snapshot(db, current.fingerprint)
        if current_id is None:
            current_id = store.create_snapshot(
                db, current.fingerprint, [g.as_row() for g in current.guides()], now=now()
            )
        store.set_current_snapshot(db, current_id)
        store.prune_snapshots(db, keep=current_id)
        report = QueuedReport(snapshot=current_id)
        report.already_queued = _waiting_jobs(db, current_id)
        if report.already_queued:
            return report
        batches = batch_ranges(db, current_id, max(1, options.batch_size))
    if not batches:
        return report
    app = make_app(database_url)
    with app.open():
        jobs: list[JSONDict] = [
            {"after": b.after, "through": b.through, "snapshot": current_id} for b in batches
        ]
        app.tasks[TASK].batch_defer(*jobs)
    report.batches = len(batches)
    report.subscriptions = sum(b.size for b in batches)
    return report


# -- sending (cartilla worker) ------------------------------------------------------------


class RetryLater(Exception):
    """Some sends of this batch were deferred by a push service's Retry-After."""

    def __init__(self, seconds: float, deferred: int) -> None:
        super().__init__(f"{deferred} deferred by Retry-After {seconds:.0f}s")
        self.seconds = seconds
        self.deferred = deferred


class _RetryStrategy(BaseRetryStrategy):
    """Run the same job again: after Retry-After, or soon when the database was busy."""

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> RetryDecision | None:
        attempts = job.attempts or 0
        if isinstance(exception, RetryLater):
            if attempts >= MAX_DEFERRALS or exception.seconds > MAX_RETRY_AFTER:
                return None
            # Never sooner than the push service asked (rounded up to whole seconds).
            return RetryDecision(retry_in={"seconds": max(1, int(exception.seconds + 0.999))})
        if isinstance(exception, storage.StorageBusy) and attempts < MAX_STORAGE_RETRIES:
            return RetryDecision(retry_in={"seconds": 2 ** (attempts + 1)})
        return None


class PacedSender(notify.Sender):
    """A sender that keeps each push service's Retry-After for the whole worker process:
    while one is in force, sends to that host are deferred without being tried."""

    _until: dict[str, float]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._until = {}
        self._pace_lock = threading.Lock()

    def send(self, row: dict[str, Any], payload: bytes) -> tuple[notify.Outcome, str]:
        host = urlsplit(row["url"]).netloc
        with self._pace_lock:
            wait = self._until.get(host, 0.0) - time.monotonic()
        if wait > 0:
            return "deferred", f"{wait:.3f}"
        outcome, detail = super().send(row, payload)
        if outcome == "deferred":
            with self._pace_lock:
                until = time.monotonic() + float(detail)
                self._until[host] = max(self._until.get(host, 0.0), until)
        return outcome, detail


@dataclass
class WorkerTotals:
    """Counts over every batch this worker process ran (printed at the end)."""

    batches: int = 0
    skipped: int = 0
    report: notify.NotifyReport = field(default_factory=notify.NotifyReport)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, report: notify.NotifyReport) -> None:
        with self.lock:
            self.batches += 1
            self.report.merge(report)

    def skip(self) -> None:
        with self.lock:
            self.skipped += 1

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            r = self.report
            return {
                "batches": self.batches,
                "sent": r.sent,
                "removed": r.removed,
                "failed": r.failed,
                "unchanged": r.unchanged,
                "deferred": r.deferred,
                "skipped_batches": self.skipped,
                "problems": dict(r.problems),
            }


@dataclass
class _Worker:
    """What every job of this worker process shares."""

    settings: Settings
    sender: notify.Sender
    executor: ThreadPoolExecutor
    totals: WorkerTotals
    _index: Snapshot | None = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)

    def content(self, fingerprint: str) -> Snapshot | None:
        """The built index if it is the state that was queued (read again once if not)."""
        with self._index_lock:
            if self._index is None or self._index.fingerprint != fingerprint:
                self._index = read_index(self.settings.index_path)
            return self._index if self._index.fingerprint == fingerprint else None


_worker: _Worker | None = None


def _push_batch(
    context: procrastinate.JobContext, after: str, through: str | None, snapshot: int
) -> dict[str, Any]:
    """One batch: plan, send, commit each outcome; RetryLater if some were deferred."""
    worker = _worker
    if worker is None:
        raise RuntimeError("cartilla worker is not set up in this process")
    report = notify.NotifyReport()
    with (
        store.open_push_db(worker.settings) as db,
        store.open_push_db(worker.settings) as record_db,
    ):
        fingerprint = db.value("SELECT fingerprint FROM snapshots WHERE id = ?", [snapshot])
        if store.current_snapshot(db) != snapshot or fingerprint is None:
            worker.totals.skip()
            return {"skipped": "a newer cartilla notify covers these subscribers"}
        current = worker.content(str(fingerprint))
        if current is None:
            worker.totals.skip()
            _say(
                "El contenido cambió desde `cartilla notify` (se volvió a construir): lote "
                "omitido; ejecute `cartilla notify` otra vez.",
                "The content changed since `cartilla notify` (it was built again): batch "
                "skipped; run `cartilla notify` again.",
            )
            return {"skipped": "content changed since it was queued"}
        planner = notify._Planner(db, current, snapshot, test_mode=worker.settings.test_mode)
        params: list[Any] = [after, snapshot]
        upper = ""
        if through is not None:
            upper = " AND endpoint <= ?"
            params.insert(1, through)
        batch = db.query(
            "SELECT endpoint, p256dh, auth, states, language, baseline, failures"
            f" FROM subscriptions WHERE endpoint > ?{upper} AND {_PENDING} ORDER BY endpoint",
            params,
        )
        recorder = notify._Recorder(record_db)
        notify.send_batch(
            recorder, batch, planner, worker.sender, worker.executor, snapshot, report, {}
        )
    worker.totals.add(report)
    if report.deferred:
        raise RetryLater(report.retry_after, report.deferred)
    return {"sent": report.sent, "failed": report.failed, "removed": report.removed}


def _say(es: str, en: str) -> None:
    print(f"{es}\n{en}", file=sys.stderr)


async def _pending(app: procrastinate.App) -> tuple[int, float | None]:
    """(jobs waiting or running, seconds until the earliest waiting one may start)."""
    row = await app.connector.execute_query_one_async(
        "SELECT count(*) AS n, extract(epoch FROM (min(scheduled_at) FILTER"
        " (WHERE status = 'todo') - now())) AS wait FROM procrastinate_jobs"
        " WHERE queue_name = %(queue)s AND status IN ('todo', 'doing')",
        queue=QUEUE,
    )
    wait = row["wait"]
    return int(row["n"]), (float(wait) if wait is not None else None)


async def _recover_stalled(app: procrastinate.App, stalled_after: float) -> int:
    """Put back the running jobs of workers that stopped sending heartbeats (killed)."""
    jobs = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_after
    )
    count = 0
    for job in jobs:
        await app.job_manager.retry_job(job)
        count += 1
    await app.job_manager.prune_stalled_workers(seconds_since_heartbeat=stalled_after)
    return count


async def _run(
    app: procrastinate.App, *, until_empty: bool, stalled_after: float, jobs: int
) -> None:
    worker_options: dict[str, Any] = {
        "queues": [QUEUE],
        "concurrency": jobs,
        "stalled_worker_timeout": stalled_after,
        "update_heartbeat_interval": max(0.2, stalled_after / 4),
        "fetch_job_polling_interval": 1.0,
        "delete_jobs": "successful",
    }
    async with app.open_async():
        recovered = await _recover_stalled(app, stalled_after)
        if recovered:
            _say(
                f"{recovered} lote(s) de un trabajador detenido vuelven a la cola.",
                f"{recovered} batch(es) of a stopped worker are back in the queue.",
            )
        if not until_empty:
            main = threading.current_thread() is threading.main_thread()
            await app.run_worker_async(install_signal_handlers=main, **worker_options)
            return
        while True:
            await app.run_worker_async(wait=False, install_signal_handlers=False, **worker_options)
            count, wait = await _pending(app)
            if count == 0:
                return
            # Batches scheduled later (Retry-After), or running in another worker: the
            # heartbeat of a killed one stops, and its batch is recovered here.
            await asyncio.sleep(min(max(wait or 0.0, 0.1), 1.0))
            await _recover_stalled(app, stalled_after)


@contextmanager
def _quiet_procrastinate() -> Iterator[None]:
    """procrastinate logs every retried job with its traceback; the worker prints its own
    one-line counts instead (no traceback reaches the operator's terminal)."""
    log = logging.getLogger("procrastinate")
    previous = (log.level, log.propagate, list(log.handlers))
    log.handlers = [logging.NullHandler()]
    log.propagate = False
    try:
        yield
    finally:
        log.level, log.propagate, log.handlers = previous[0], previous[1], previous[2]


def _run_loop(work: Coroutine[Any, Any, None]) -> None:
    """asyncio.run(work), in a thread of its own when this thread already runs a loop (a
    caller inside an async program, or a test process where Playwright's loop is running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(work)
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="cartilla-worker-loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def run_worker(
    settings: Settings,
    options: notify.NotifyOptions,
    *,
    until_empty: bool = False,
    stalled_after: float = 30.0,
    jobs: int = 2,
) -> WorkerTotals:
    """Run this process as a push queue worker (`cartilla worker`); returns its counts."""
    global _worker
    database_url = require_database(settings)
    read_index(settings.index_path)  # no index: said before any job runs
    options.defer_retry_after = True
    sender = notify.make_sender(settings, options, PacedSender)
    open_queue_tables(database_url)
    app = make_app(database_url)
    executor = ThreadPoolExecutor(
        max_workers=max(1, options.concurrency), thread_name_prefix="push"
    )
    totals = WorkerTotals()
    _worker = _Worker(settings=settings, sender=sender, executor=executor, totals=totals)
    try:
        with _quiet_procrastinate():
            _run_loop(_run(app, until_empty=until_empty, stalled_after=stalled_after, jobs=jobs))
    finally:
        _worker = None
        executor.shutdown(wait=True)
        storage.close_pools()
    return totals
