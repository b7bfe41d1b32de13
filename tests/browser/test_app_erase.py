"""Erase Cartilla from this phone: a warning, a last chance to back up the log, then nothing
of the app is left in the browser (databases, caches, service worker) and a blank page shows."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from typing import Any

import pytest
from conftest import ROOT, CartillaServer, choose_profile, show, wait_until_offline_ready

from server.push.testing import MockPushService

pytestmark = pytest.mark.browser

# Chromium has no push service here: PushManager hands out the mock service's subscription
# (as in test_push_notifications.py); the rest (push.js, the server) is the real code.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  const make = () => ({
    endpoint: subscription.endpoint, expirationTime: null, toJSON: () => subscription,
    unsubscribe: async () => { localStorage.removeItem("test-push"); return true; },
  });
  PushManager.prototype.subscribe = async function () {
    localStorage.setItem("test-push", "1");
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("test-push") ? make() : null;
  };
})();
"""

LEFT_BEHIND = """async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    local: localStorage.length,
})"""


def test_erase_leaves_no_database_cache_or_service_worker(page: Any, server_factory: Any) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    show(page, "#/log")  # opens the log's own database too
    page.evaluate("localStorage.setItem('left', 'x')")
    before = page.evaluate(LEFT_BEHIND)
    assert {"cartilla", "cartilla-log"} <= set(before["databases"])
    assert before["caches"] and before["workers"] == 1

    page.locator("nav a[href='#/profile']").click()
    page.locator("#erase-open").click()
    page.wait_for_selector("#erase-now")
    warning = page.locator("main .notice.warning").inner_text()
    assert "No se puede deshacer" in warning and "horas, pagos" in warning
    # The last chance to keep the log goes to the log's backup.
    assert page.locator("#erase-backup").get_attribute("href") == "#/log/settings"
    # Nothing happens without the explicit confirmation.
    page.locator("#erase-now").click()
    assert "marque la casilla" in page.locator("#erase-error").inner_text()
    assert set(page.evaluate(LEFT_BEHIND)["databases"]) >= {"cartilla", "cartilla-log"}

    page.locator("#erase-confirm").check()
    with page.expect_navigation():
        page.locator("#erase-now").click()
    assert page.url == "about:blank"

    # Back on the site (a page without the app's code), nothing of Cartilla is left.
    page.goto(server.base_url + "/neutral.html")
    assert page.evaluate(LEFT_BEHIND) == {"databases": [], "caches": [], "workers": 0, "local": 0}
    # And the app starts over as on a new phone.
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    assert page.locator("h1").inner_text() == "Bienvenido a Cartilla"


def test_erase_is_offered_in_english(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, {"state": "TX", "industry": "construction", "status": "any", "lang": "en"})
    page.locator("nav a[href='#/profile']").click()
    assert page.locator("#erase-open").inner_text() == "Erase Cartilla from this phone"
    page.locator("#erase-open").click()
    page.wait_for_selector("#erase-now")
    assert page.locator("h1").inner_text() == "Erase Cartilla from this phone"
    assert "cannot be undone" in page.locator("main .notice.warning").inner_text()
    page.locator("a", has_text="Do not erase").click()
    page.wait_for_selector("form.profile")


def subscriptions(server: CartillaServer) -> int:
    path = server.state_dir / "push.db"
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        count: int = conn.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
        return count
    finally:
        conn.close()


def test_erase_cancels_the_push_subscription_on_the_server(
    page: Any, context: Any, server_factory: Any
) -> None:
    server = server_factory()
    keys = subprocess.run(
        [sys.executable, "-m", "server.cli", "keys"], cwd=ROOT, capture_output=True, text=True,
        env={**server.env, "CARTILLA_VAPID_SUBJECT": "mailto:ops@example.org"}, timeout=120,
    )  # fmt: skip
    assert keys.returncode == 0, keys.stderr
    with MockPushService() as push_service:
        context.grant_permissions(["notifications"], origin=server.base_url)
        context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(push_service.subscription()))
        page.goto(server.base_url + "/")
        page.wait_for_selector("form.profile")
        choose_profile(page)
        wait_until_offline_ready(page)
        show(page, "#/notifications")
        page.locator("#push-toggle").click()
        page.wait_for_selector("#push-toggle:has-text('Apagar los avisos')")
        assert subscriptions(server) == 1

        show(page, "#/erase")
        page.locator("#erase-confirm").check()
        with page.expect_navigation():
            page.locator("#erase-now").click()
        assert page.url == "about:blank"
        assert subscriptions(server) == 0  # the server forgot the address
