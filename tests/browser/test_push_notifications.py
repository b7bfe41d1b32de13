"""Guide-update notifications end to end, in Debian's Chromium against the real server.

The worker opts in from the app, an advocate changes a guide, `cartilla build` and
`cartilla notify` run, the encrypted message reaches a local mock push service (which decrypts
it), and exactly that message is delivered to the app's service worker through the DevTools
Protocol (`ServiceWorker.deliverPushMessage`). The worker shows the notification in the
worker's language, fetches only the changed guide, and the guide then reads with the server
gone.

One stand-in: Chromium cannot register with a real push service here (Playwright contexts
are incognito, where Chrome has no Push API, and there is no network), so
`PushManager.subscribe` returns a subscription whose endpoint is the mock push service, with
keys this test made. Everything after that is the real code.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, CartillaServer, choose_profile, poll, wait_until_offline_ready

from server.push.testing import MockPushService

pytestmark = pytest.mark.browser

FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
PROFILE = {"state": "CA", "industry": "agriculture", "status": "h2a", "lang": "es"}

# The browser's side of PushManager, backed by a subscription the test controls.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  const KEY = "test-push-subscription";
  const make = (options) => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    options,
    toJSON: () => subscription,
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    localStorage.setItem(KEY, JSON.stringify(Array.from(key)));
    return make({ userVisibleOnly: true, applicationServerKey: key.buffer });
  };
  PushManager.prototype.getSubscription = async function () {
    const saved = localStorage.getItem(KEY);
    if (!saved) return null;
    const key = new Uint8Array(JSON.parse(saved));
    return make({ userVisibleOnly: true, applicationServerKey: key.buffer });
  };
})();
"""


@pytest.fixture
def push_service() -> Iterator[MockPushService]:
    with MockPushService() as service:
        yield service


def cartilla(server: CartillaServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT, env={**server.env, "CARTILLA_VAPID_SUBJECT": "mailto:ops@example.org"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def stored_subscriptions(server: CartillaServer) -> list[dict[str, Any]]:
    path = server.state_dir / "push.db"
    if not path.exists():
        return []
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM subscriptions")]
    finally:
        conn.close()


def bump_guide(content_dir: Path, name: str, paragraph: str) -> None:
    path = content_dir / "guides" / name
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: (\d+)$", lambda m: f"version: {int(m[1]) + 1}", text, count=1)
    path.write_text(text.rstrip("\n") + f"\n\n{paragraph}\n", encoding="utf-8")


READ_PACK = """() => new Promise((ok) => {
  const r = indexedDB.open("cartilla");
  r.onsuccess = () => {
    const g = r.result.transaction("packs").objectStore("packs").get("current");
    g.onsuccess = () => ok(g.result);
  };
})"""


def read_pack(page: Any) -> Any:
    return page.evaluate(READ_PACK)


def open_app_with_push(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
    grant: bool = True,
) -> tuple[CartillaServer, dict[str, Any]]:
    """A server with VAPID keys, a page whose pushManager subscribes at the mock service
    (with the notifications permission unless `grant` is False), open at the profile form."""
    server = server_factory(content=FIXTURE_CONTENT)
    assert cartilla(server, "keys").returncode == 0
    subscription = push_service.subscription()
    if grant:
        context.grant_permissions(["notifications"], origin=server.base_url)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    return server, subscription


def registration_id(page: Any, cdp: Any) -> str:
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):  # events arrive while Playwright pumps its loop
        live = [r for r in registrations if not r.get("isDeleted")]
        if live:
            return str(live[-1]["registrationId"])
        page.wait_for_timeout(100)
    raise AssertionError("the service worker registration was not reported over CDP")


def test_opt_in_push_fetch_and_read_offline(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
) -> None:
    # First visit: the profile picker, and no talk of notifications yet.
    server, subscription = open_app_with_push(context, page, server_factory, push_service)
    assert page.locator("#push-toggle").count() == 0
    choose_profile(page, PROFILE)
    wait_until_offline_ready(page)
    assert stored_subscriptions(server) == []

    # Opting in: the worker's own tap, then the server holds the subscription and profile.
    page.locator("nav a[href='#/profile']").click()
    page.locator("main a[href='#/notifications']").click()
    page.wait_for_selector("#push-toggle")
    kept = page.locator("ul.push-sent").inner_text()
    assert "California" in kept
    # It says what the server keeps, and that is not the worker's status or work.
    assert "H-2A" not in kept and "agric" not in kept.lower()
    assert "No se guarda su situación migratoria" in page.locator("main").inner_text()
    page.locator("#push-toggle", has_text="Avisarme cuando cambien mis guías").click()
    page.wait_for_selector("#push-toggle:has-text('Apagar los avisos')")
    assert page.locator(".push-status").inner_text() == "Los avisos están encendidos."
    [row] = stored_subscriptions(server)
    assert row["endpoint"] == subscription["endpoint"]
    assert (row["states"], row["language"]) == ('["CA"]', "es")
    assert "industries" not in row and "statuses" not in row

    # An advocate changes the California overtime guide; build and notify.
    bump_guide(server.content_dir, "overtime.es.md", "Nuevo: un párrafo sobre las horas extra.")
    server.build()
    notified = cartilla(server, "notify")
    assert notified.returncode == 0, notified.stderr
    assert "sent: 1" in notified.stdout
    [delivery] = push_service.accepted_deliveries()
    message = delivery.payload
    assert message is not None and message["lang"] == "es"
    [changed] = message["guides"]
    assert (changed["id"], changed["version"]) == ("overtime", 2)
    assert "sent: 0" in cartilla(server, "notify").stdout  # once only

    # The phone receives that message; its service worker fetches only the changed guide.
    worker_requests: list[str] = []
    context.on("request", lambda r: worker_requests.append(r.url) if "/api/" in r.url else None)
    cdp = context.new_cdp_session(page)
    registration = registration_id(page, cdp)
    guide_url = f"{server.base_url}/api/v1/content/{changed['hash']}"
    with context.expect_event("request", lambda r: "/api/v1/content/" in r.url) as fetched:
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": server.base_url,
                "registrationId": registration,
                "data": json.dumps(message),
            },
        )
    assert fetched.value.url == guide_url
    page.wait_for_function(
        f"""async () => ((await ({READ_PACK})()).guides || [])
              .some((d) => d.id === "overtime" && d.version === 2)""",
        polling=100,
    )
    assert {u for u in worker_requests if "/api/v1/content/" in u} == {guide_url}

    notifications = page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications())
             .map((n) => ({title: n.title, body: n.body, lang: n.lang, url: n.data.url}))"""
    )
    # The lock screen shows neutral words, never the guide's title (issue 12, item 13).
    assert notifications == [
        {
            "title": "Cartilla: hay información nueva",
            "body": "Abra Cartilla para ver los detalles.",
            "lang": "es",
            "url": "/#/guide/overtime",
        }
    ]

    # The server is gone. Tapping the notification (its click handler's work, run in the
    # worker: CDP cannot tap a notification) shows the new text in the open window.
    server.stop()
    page.goto(server.base_url + "/#/guides")
    page.wait_for_selector("ul.cards li.card")
    [worker] = context.service_workers
    worker.evaluate(
        """async () => {
            const [shown] = await self.registration.getNotifications();
            await self.cartillaOpenFromNotification(shown);
        }"""
    )
    # The address bar never shows the screen (routes.js): the route lives in history.state.
    page.wait_for_function("() => (history.state || {}).route === '#/guide/overtime'")
    assert worker.evaluate("async () => (await self.registration.getNotifications()).length") == 0
    page.wait_for_selector("article.guide-body")
    assert (
        "Nuevo: un párrafo sobre las horas extra."
        in page.locator("article.guide-body").inner_text()
    )
    stored = next(g for g in read_pack(page)["guides"] if g["id"] == "overtime")
    assert stored["hash"] == changed["hash"]

    # The server knows no status, so a message may list a guide for another status; this
    # phone (H-2A) keeps it off its notification (sw-push.js filters by its own profile).
    other = {**changed, "id": "h2b-rules", "title": "Reglas H-2B", "statuses": ["h2b"]}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": server.base_url,
            "registrationId": registration,
            "data": json.dumps(
                {**message, "guides": [other], "body": "Nueva versión: Reglas H-2B"}
            ),
        },
    )
    # Polled from Python and read in the same evaluation: the notification is read the moment
    # the worker has shown it, not by a second call after a separate wait.
    shown = poll(
        page,
        """async () => {
           const list = (await (await navigator.serviceWorker.ready).getNotifications())
             .map((n) => ({body: n.body, url: n.data.url, guides: n.data.guides}));
           return list.length ? list : null; }""",
    )
    assert shown == [
        {"body": "Abra Cartilla para ver los detalles.", "url": "/#/guides", "guides": []}
    ]


def test_turning_alerts_off_deletes_the_subscription_on_the_server(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
) -> None:
    server, _ = open_app_with_push(context, page, server_factory, push_service)
    # Picking a language re-labels the form; wait for that before filling the rest.
    page.locator("input[name=lang][value=en]").check()
    page.wait_for_selector("form.profile button:has-text('Save and see my guides')")
    choose_profile(page, {**PROFILE, "lang": "en"})
    wait_until_offline_ready(page)
    page.goto(server.base_url + "/#/notifications")
    page.locator("#push-toggle", has_text="Tell me when my guides change").click()
    page.wait_for_selector("#push-toggle:has-text('Turn alerts off')")
    assert len(stored_subscriptions(server)) == 1

    page.reload()  # the app remembers it is subscribed
    page.locator("#push-toggle", has_text="Turn alerts off").click()
    page.wait_for_selector("#push-toggle:has-text('Tell me when my guides change')")
    assert page.locator(".push-status").inner_text() == "Alerts are off."
    assert stored_subscriptions(server) == []


def test_refused_permission_is_explained_and_nothing_is_sent(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
) -> None:
    # Headless Chromium answers "denied" to a permission nobody granted.
    server, _ = open_app_with_push(context, page, server_factory, push_service, grant=False)
    choose_profile(page, PROFILE)
    page.goto(server.base_url + "/#/notifications")
    page.locator("#push-toggle").click()
    alert = page.locator("p.error[role=alert]")
    alert.wait_for()
    assert "ajustes del navegador" in alert.inner_text()
    assert stored_subscriptions(server) == []


def test_a_changed_profile_reaches_the_server_on_the_next_start(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
) -> None:
    server, subscription = open_app_with_push(context, page, server_factory, push_service)
    choose_profile(page, PROFILE)
    wait_until_offline_ready(page)
    page.goto(server.base_url + "/#/notifications")
    page.locator("#push-toggle").click()
    page.wait_for_selector("#push-toggle:has-text('Apagar los avisos')")
    assert [r["states"] for r in stored_subscriptions(server)] == ['["CA"]']

    # The worker's browser still holds the same subscription (the stand-in, in the worker too).
    [worker] = context.service_workers
    worker.evaluate(
        """(subscription) => {
            PushManager.prototype.getSubscription = async () =>
              ({ endpoint: subscription.endpoint, toJSON: () => subscription });
        }""",
        subscription,
    )
    page.goto(server.base_url + "/#/profile")
    page.select_option("#state", "TX")
    page.locator("form.profile button[type=submit]").click()
    page.wait_for_selector("ul.cards li.card")
    page.reload()  # the app asks its worker for updates when it starts
    for _ in range(100):
        if [r["states"] for r in stored_subscriptions(server)] == ['["TX"]']:
            break
        page.wait_for_timeout(100)
    [row] = stored_subscriptions(server)
    assert (row["endpoint"], row["states"]) == (subscription["endpoint"], '["TX"]')


def test_turning_alerts_off_offline_deletes_the_server_copy_later(
    context: Any,
    page: Any,
    server_factory: Callable[..., CartillaServer],
    push_service: MockPushService,
) -> None:
    server, _ = open_app_with_push(context, page, server_factory, push_service)
    choose_profile(page, PROFILE)
    wait_until_offline_ready(page)
    page.goto(server.base_url + "/#/notifications")
    page.locator("#push-toggle").click()
    page.wait_for_selector("#push-toggle:has-text('Apagar los avisos')")
    assert len(stored_subscriptions(server)) == 1

    server.stop()
    page.locator("#push-toggle").click()
    page.wait_for_selector("#push-toggle:has-text('Avisarme cuando cambien mis guías')")
    assert "cuando haya conexión" in page.locator("#notice-push").inner_text()
    assert len(stored_subscriptions(server)) == 1  # the server could not be told yet

    server.start()
    page.reload()  # on start the app asks its worker to catch up, which finishes the job
    for _ in range(100):
        if not stored_subscriptions(server):
            break
        page.wait_for_timeout(100)
    assert stored_subscriptions(server) == []
