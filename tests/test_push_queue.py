"""The push fan-out queue on PostgreSQL: `cartilla notify` queues batches, `cartilla worker`
processes send them to a local mock push service that decrypts every message.

A minimum-wage change on 1 January must reach every subscribed phone once: batches (not one
job per phone), one or two workers at once, a push service's Retry-After honoured without
losing or doubling a message, and a worker killed half-way replaced by another that sends
exactly what was not delivered.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from push_fixtures import SUBJECT, revise, subscribe

from server.cli import main
from server.config import Settings
from server.push import fanout, store
from server.push.api import RATE_LIMITER
from server.push.notify import NotifyOptions
from server.push.testing import Behaviour, MockPushService

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(settings: Settings, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """PostgreSQL only: the queue lives in procrastinate's tables there."""
    monkeypatch.setenv("CARTILLA_DATABASE_URL", pg_url)
    return dataclasses.replace(settings, database_url=pg_url)


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Iterator[None]:
    RATE_LIMITER.clear()
    yield
    RATE_LIMITER.clear()


def phones(
    client: TestClient[Litestar], service: MockPushService, count: int, **behaviour: Any
) -> list[dict[str, Any]]:
    """`count` phones subscribed for California in Spanish (through the API; its per-client
    rate limit, tested in test_push_api.py, is reset: here every phone is the test client)."""
    made = [
        service.subscription(Behaviour(**behaviour) if behaviour else None) for _ in range(count)
    ]
    for subscription in made:
        RATE_LIMITER.clear()
        subscribe(client, subscription, ["CA"], "es")
    return made


def enqueue(settings: Settings, batch_size: int = 500) -> fanout.QueuedReport:
    return fanout.enqueue_notify(settings, NotifyOptions(subject=SUBJECT, batch_size=batch_size))


def work(settings: Settings, **options: Any) -> fanout.WorkerTotals:
    return fanout.run_worker(
        settings, NotifyOptions(subject=SUBJECT, **options), until_empty=True, stalled_after=2.0
    )


def queued_jobs(settings: Settings) -> list[dict[str, Any]]:
    with store.open_push_db(settings) as db:
        return db.query(
            "SELECT args, status FROM procrastinate_jobs WHERE queue_name = ? ORDER BY id",
            [fanout.QUEUE],
        )


def told_once(service: MockPushService, subscriptions: list[dict[str, Any]]) -> None:
    for subscription in subscriptions:
        accepted = [d for d in service.deliveries_for(subscription) if d.status == 201]
        assert len(accepted) == 1, (subscription["endpoint"], service.deliveries_for(subscription))
        assert accepted[0].payload is not None and accepted[0].vapid_valid


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "CARTILLA_STATE_DIR": str(settings.state_dir),
        "CARTILLA_INDEX": str(settings.index_path),
        "CARTILLA_CONTENT_DIR": str(settings.content_dir),
        "CARTILLA_TEST_MODE": "1",
        "CARTILLA_VAPID_SUBJECT": SUBJECT,
        "CARTILLA_DATABASE_URL": str(settings.database_url),
    }


def start_worker(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker", "--until-empty", "--json", *args],
        cwd=ROOT,
        env=worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(worker: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert "Traceback" not in err, err
    counts: dict[str, Any] = json.loads(out)
    return counts


def test_notify_queues_batches_not_one_job_per_phone(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    made = phones(client, service, 12)
    revise(keyed, "overtime.es.md")
    report = enqueue(keyed, batch_size=5)
    assert (report.batches, report.subscriptions) == (3, 12)
    jobs = queued_jobs(keyed)
    assert len(jobs) == 3 and {job["status"] for job in jobs} == {"todo"}
    assert [job["args"]["through"] is None for job in jobs] == [False, False, True]
    assert service.deliveries == []  # notify itself sends nothing

    again = enqueue(keyed, batch_size=5)  # a second notify while they wait adds nothing
    assert (again.batches, again.already_queued) == (0, 3)
    assert len(queued_jobs(keyed)) == 3

    totals = work(keyed)
    assert (totals.batches, totals.report.sent, totals.report.failed) == (3, 12, 0)
    told_once(service, made)
    assert queued_jobs(keyed) == []  # done batches are deleted
    assert enqueue(keyed).batches == 0  # everyone already told: nothing to queue
    assert work(keyed).report.sent == 0


def test_two_workers_tell_every_phone_exactly_once(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    made = phones(client, service, 40)
    revise(keyed, "overtime.es.md")
    assert enqueue(keyed, batch_size=4).batches == 10
    first, second = start_worker(keyed), start_worker(keyed)
    counts = [finish(first), finish(second)]
    assert sum(c["batches"] for c in counts) == 10
    assert sum(c["sent"] for c in counts) == 40
    assert service.accepted == 40
    told_once(service, made)


def test_retry_after_is_honoured_and_the_message_arrives_once(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    throttled = phones(client, service, 1, fail_status=429, fail_times=1, retry_after="2")[0]
    others = phones(client, service, 6)
    revise(keyed, "overtime.es.md")
    assert enqueue(keyed, batch_size=50).batches == 1
    totals = work(keyed, concurrency=1)
    assert totals.report.sent == 7 and totals.report.failed == 0
    assert totals.report.deferred >= 1
    refused, accepted = service.deliveries_for(throttled)
    assert (refused.status, accepted.status) == (429, 201)
    assert accepted.at - refused.at >= 2.0  # not before the push service said
    told_once(service, [throttled, *others])
    assert queued_jobs(keyed) == []


def test_a_killed_worker_is_replaced_and_nothing_is_sent_twice(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    made = phones(client, service, 10)
    revise(keyed, "overtime.es.md")
    assert enqueue(keyed, batch_size=500).batches == 1
    first = start_worker(keyed, "--concurrency", "1", "--jobs", "1")
    requests = 0
    killed = threading.Event()

    def kill_before_the_sixth(_token: str) -> bool:
        nonlocal requests
        requests += 1
        if requests == 6 and not killed.is_set():
            killed.set()
            os.kill(first.pid, signal.SIGKILL)  # mid-batch: five told, five not
            first.wait(timeout=30)
            return False  # the sixth never reached the push service
        return True

    service.before_request = kill_before_the_sixth
    out, err = first.communicate(timeout=120)
    assert "Traceback" not in err, err
    assert killed.is_set() and first.returncode == -signal.SIGKILL, (out, err)
    assert service.accepted == 5
    assert [job["status"] for job in queued_jobs(keyed)] == ["doing"]

    counts = finish(start_worker(keyed, "--stalled-after", "1"))
    assert counts["sent"] == 5
    assert service.accepted == 10
    told_once(service, made)
    assert queued_jobs(keyed) == []


def test_the_command_line_queues_and_a_worker_sends(
    keyed: Settings,
    client: TestClient[Litestar],
    service: MockPushService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = phones(client, service, 3)
    revise(keyed, "overtime.es.md")
    for name, value in worker_env(keyed).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as refused:
        main(["notify", "--batch-size", "0"])
    assert refused.value.code == 2
    assert "entre 1 y 10000" in capsys.readouterr().err
    assert main(["notify", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert "En cola / queued: 2 lotes / batches, 3 suscripciones" in out
    assert service.deliveries == []
    assert main(["notify"]) == 0
    assert "already queued" in capsys.readouterr().out
    assert main(["worker", "--until-empty"]) == 0
    assert "Enviados / sent: 3" in capsys.readouterr().out
    told_once(service, made)
    assert main(["notify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["batches"] == 0


def test_the_worker_explains_what_it_needs(
    keyed: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in worker_env(keyed).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CARTILLA_DATABASE_URL")
    assert main(["worker", "--until-empty"]) == 1
    err = capsys.readouterr().err
    assert "necesita PostgreSQL" in err and "needs PostgreSQL" in err
    assert "CARTILLA_DATABASE_URL" in err and "Traceback" not in err

    monkeypatch.setenv("CARTILLA_DATABASE_URL", str(keyed.database_url))
    monkeypatch.delenv("CARTILLA_VAPID_SUBJECT")
    assert main(["worker", "--until-empty"]) == 1
    assert "--subject" in capsys.readouterr().err

    with pytest.raises(SystemExit) as refused:
        main(["worker", "--stalled-after", "soon"])
    assert refused.value.code == 2
    assert "segundos" in capsys.readouterr().err

    # A server that is not there: one bilingual line, no traceback.
    monkeypatch.setenv("CARTILLA_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    assert main(["worker", "--until-empty", "--subject", SUBJECT]) == 1
    err = capsys.readouterr().err
    assert "No se puede usar la base de datos" in err and "Cannot use the push database" in err
    assert "Traceback" not in err
