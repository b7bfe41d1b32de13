"""Read aloud on guides and problems, with the phone's own voice only.

Headless Chromium may have no voices at all: the first test uses the real speechSynthesis and
expects the button hidden when it has no local voice for Spanish. The others give the page a
speechSynthesis of our own making (page.add_init_script) so that what the app asks the
browser to say can be read back; the app's code under test runs unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import choose_profile, show, wait_until_offline_ready

pytestmark = pytest.mark.browser

LOCAL_ES = {"name": "Paulina", "lang": "es-MX", "localService": True, "default": False}
NETWORK_ES = {"name": "Google español", "lang": "es-ES", "localService": False, "default": True}

FAKE_SPEECH = """
(() => {
  let voices = %s;
  const listeners = [];
  window.__spoken = [];
  window.__pending = [];
  window.__cancels = 0;
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.voice = null; this.lang = ""; this.onend = null; }
  };
  const synth = {
    getVoices: () => voices,
    speak(u) { window.__spoken.push({ text: u.text, voice: u.voice && u.voice.name, lang: u.lang });
               window.__pending.push(u); },
    cancel() { window.__cancels += 1; window.__pending = []; },
    addEventListener(type, fn) { if (type === "voiceschanged") listeners.push(fn); },
    removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.__finish = () => {
    const p = window.__pending;
    window.__pending = [];
    p.forEach((u) => u.onend && u.onend());
  };
  window.__setVoices = (v) => { voices = v; listeners.forEach((f) => f()); };
})();
"""

BUTTON = "main button.speak"


def with_voices(page: Any, voices: list[dict[str, Any]]) -> Any:
    page.add_init_script(FAKE_SPEECH % json.dumps(voices))
    return page


def open_guide(page: Any, base_url: str, guide: str = "workers-comp") -> None:
    page.goto(base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, f"#/guide/{guide}")
    page.wait_for_selector("article.guide-body")


def test_hidden_without_a_voice_of_the_phones_own(page: Any, live_server: str) -> None:
    open_guide(page, live_server)
    has_voice = page.evaluate(
        "() => 'speechSynthesis' in window && speechSynthesis.getVoices()"
        ".some((v) => v.localService && v.lang.toLowerCase().startsWith('es'))"
    )
    if not has_voice:
        assert page.locator(f"{BUTTON}:visible").count() == 0


def test_only_a_network_voice_is_not_used(page: Any, live_server: str) -> None:
    with_voices(page, [NETWORK_ES])
    open_guide(page, live_server)
    page.wait_for_selector(BUTTON, state="attached")
    assert not page.locator(BUTTON).is_visible()


def test_reads_the_guide_with_the_local_voice_and_stops(page: Any, live_server: str) -> None:
    with_voices(page, [NETWORK_ES, LOCAL_ES])
    open_guide(page, live_server)
    button = page.locator(BUTTON)
    button.wait_for(state="visible")
    assert button.inner_text() == "▶ Leer en voz alta"
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert requests == []  # reading asks nothing of any network
    title = page.locator("main h1").inner_text()
    first_paragraph = page.locator("article.guide-body p").first.inner_text()
    texts = [s["text"] for s in spoken]
    assert texts[0] == title and " ".join(first_paragraph.split()) in texts
    assert {s["voice"] for s in spoken} == {"Paulina"} and {s["lang"] for s in spoken} == {"es-MX"}
    assert not any("Leer en voz alta" in t for t in texts)  # not its own label
    assert button.inner_text() == "■ Parar la lectura"
    cancels = page.evaluate("window.__cancels")
    button.click()
    assert page.evaluate("window.__cancels") == cancels + 1
    assert button.inner_text() == "▶ Leer en voz alta"
    # Read to the end: the button is ready to start again.
    button.click()
    page.evaluate("window.__finish()")
    assert button.inner_text() == "▶ Leer en voz alta"


def test_a_voice_that_arrives_later_shows_the_button(page: Any, live_server: str) -> None:
    with_voices(page, [])
    open_guide(page, live_server)
    page.wait_for_selector(BUTTON, state="attached")
    assert not page.locator(BUTTON).is_visible()
    page.evaluate("(v) => window.__setVoices(v)", [LOCAL_ES])
    page.locator(BUTTON).wait_for(state="visible")


def test_leaving_the_screen_stops_reading(page: Any, live_server: str) -> None:
    with_voices(page, [LOCAL_ES])
    open_guide(page, live_server)
    page.locator(BUTTON).click()
    cancels = page.evaluate("window.__cancels")
    page.locator("nav a[href='#/directory']").click()
    page.wait_for_selector("#dir-consulates")
    assert page.evaluate("window.__cancels") > cancels


def test_reads_a_problem_from_what_happened(page: Any, live_server: str) -> None:
    with_voices(page, [LOCAL_ES])
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/triage/injury")
    page.locator(BUTTON).click()
    texts = [s["text"] for s in page.evaluate("window.__spoken")]
    assert texts[0] == page.locator("main h1").inner_text()
    assert page.locator("main .lead").inner_text() in texts


def test_works_with_the_server_gone_after_one_use(page: Any, server_factory: Any) -> None:
    server = server_factory()
    with_voices(page, [LOCAL_ES])
    open_guide(page, server.base_url)
    page.locator(BUTTON).wait_for(state="visible")
    wait_until_offline_ready(page)
    # Opened once while the service worker controls the page, speak.js is kept.
    page.reload()
    page.wait_for_selector(BUTTON, state="visible")
    server.stop()
    page.reload()
    page.wait_for_selector("main h1")
    show(page, "#/guide/workers-comp")
    page.locator(BUTTON).click()
    assert page.evaluate("window.__spoken.length") > 3
