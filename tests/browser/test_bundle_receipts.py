"""Time receipts come on their own whenever the phone is online, in Chromium against the real server.

The worker never asks for them: the app anchors the journal head at start, when the browser
goes `online`, and a few seconds after a save (one receipt for a burst of entries). Offline
or with the server down it sends nothing or fails silently, and tries again next time. Each
receipt is checked here in Python against the server's published key, and the only thing the
phone sent is `{"hash": <head>}`.
"""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import CartillaServer, api_json, choose_profile, poll, wait_until_offline_ready
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from test_log_flow import add_job, add_shift, open_log

pytestmark = pytest.mark.browser

READ_JOURNAL = "async () => (await import('/js/log/store.js')).readJournal()"
HEAD_IS_RECEIPT = f"async () => {{ const j = await ({READ_JOURNAL})(); return j.length > 0 && j[j.length - 1].kind === 'receipt'; }}"
RECEIPTS = "/api/v1/receipts"


def journal(page: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = page.evaluate(READ_JOURNAL)
    return entries


def receipts(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e["kind"] == "receipt"]


def assert_genuine_receipt_of(entry: dict[str, Any], head: dict[str, Any], base_url: str) -> None:
    """`entry` is a receipt journaled right after `head`, signed by the server's published key."""
    assert entry["kind"] == "receipt" and entry["prev_hash"] == head["hash"]
    receipt = entry["receipt"]
    assert receipt["hash"] == head["hash"]
    key = api_json(base_url, "/api/v1/receipts/key")
    assert key["algorithm"] == "Ed25519" and receipt["key_id"] == key["key_id"]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key["public_key"] + "=="))
    signature = base64.urlsafe_b64decode(receipt["signature"] + "==")
    # Raises InvalidSignature if the receipt was not signed by this key over this hash and time.
    public.verify(signature, f"cartilla-receipt-v1\n{receipt['hash']}\n{receipt['time']}".encode())


def test_the_phone_anchors_its_journal_whenever_it_is_online(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    sent: list[Any] = []
    context.on(
        "request",
        lambda r: sent.append(r) if r.method == "POST" and r.url.endswith(RECEIPTS) else None,
    )
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    open_log(page)

    # Offline, server stopped: the worker logs a job and a shift; the app starts again offline.
    server.stop()
    context.set_offline(True)
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00")
    page.reload()
    page.wait_for_selector("h1:has-text('Mi registro')")
    offline = journal(page)
    assert len(offline) == 3 and receipts(offline) == [] and sent == []

    # The server is back and the phone goes online: a receipt for the head, with nothing asked.
    server.start()
    with page.expect_response(lambda r: r.url.endswith(RECEIPTS)) as answer:
        context.set_offline(False)  # Chromium fires `online`
    poll(page, HEAD_IS_RECEIPT)
    anchored = journal(page)
    # First the phone's signing key goes into the chain, then the receipt anchors it.
    assert len(anchored) == 5
    bound = anchored[-2]
    assert bound["kind"] == "key" and bound["prev_hash"] == offline[-1]["hash"]
    assert set(bound["key"]) == {"algorithm", "fingerprint"}
    assert_genuine_receipt_of(anchored[-1], bound, server.base_url)
    (request,) = sent
    assert json.loads(request.post_data) == {"hash": bound["hash"]}  # the head hash, nothing else
    assert "cookie" not in request.all_headers()
    assert answer.value.status == 200 and not answer.value.from_service_worker

    # Online but the server is down: the save's attempt fails silently, and nothing is journaled.
    server.stop()
    with context.expect_event("requestfailed", lambda r: r.url.endswith(RECEIPTS)):
        add_shift(page, "2025-03-04", "07:00", "15:00")
    after_failure = journal(page)
    assert len(after_failure) == 6 and after_failure[-1]["kind"] == "create"
    assert page.locator("[role=alert], .notice.error").count() == 0

    # The next app start, with the server up, anchors the new head.
    server.start()
    page.reload()
    poll(page, HEAD_IS_RECEIPT)
    restarted = journal(page)
    assert len(restarted) == 7  # the key is bound once: no second key entry
    assert [e["kind"] for e in restarted].count("key") == 1
    assert_genuine_receipt_of(restarted[-1], after_failure[-1], server.base_url)

    # A burst of saves gets one receipt, for the last of them.
    page.evaluate(
        """async () => { const store = await import('/js/log/store.js');
          const { state } = await store.currentState(); const job = [...state.job.values()][0];
          for (const date of ['2025-03-05', '2025-03-06']) await store.addRecord({ type: 'shift', job_id: job.id, date,
            start: '07:00', end: '15:00', break_minutes: 0, from_memory: false, photo_ids: [] }); }"""
    )
    poll(page, HEAD_IS_RECEIPT)
    burst = journal(page)
    assert [e["kind"] for e in burst[7:]] == ["create", "create", "receipt"]
    assert_genuine_receipt_of(burst[-1], burst[-2], server.base_url)
    assert len(receipts(burst)) == 3
    assert [json.loads(r.post_data) for r in sent[-1:]] == [{"hash": burst[-2]["hash"]}]

    # The service worker never keeps a receipt answer.
    cached = page.evaluate(
        "async () => (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat()"
    )
    assert cached and not any(RECEIPTS in url for url in cached)
