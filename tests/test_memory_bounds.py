"""Memory under a flood of distinct well-formed requests: caches hold what is served.

600 different (valid) language tags used to build and keep 600 packs and guide answers;
now every language the index does not have is one answer, and caches are bounded by bytes.
"""

from __future__ import annotations

import gc
import itertools
import string
import tracemalloc

from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings
from server.http import Body, BodyCache, body_bytes, make_body

REQUESTS = 600
#: What 600 answers that all say "no guide in your language, here is the fallback" may add:
#: the answer memory's per-URL header lists, not 600 packs.
ALLOWED_GROWTH = 2 * 1024 * 1024


def _langs(n: int) -> list[str]:
    codes = ("".join(t) for t in itertools.product(string.ascii_lowercase, repeat=3))
    return [c for c in codes if c not in ("und",)][:n]


def test_600_distinct_languages_do_not_grow_memory(built: Settings) -> None:
    with TestClient(create_app(built)) as client:
        for warm in ("es", "en", "zzz"):  # every answer kind made once before measuring
            assert client.get(f"/api/v1/packs?state=CA&lang={warm}").status_code == 200
            assert client.get(f"/api/v1/guides/overtime?lang={warm}").status_code == 200
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i, lang in enumerate(_langs(REQUESTS)):
                path = "/api/v1/packs?state=CA" if i % 2 else "/api/v1/guides/overtime?"
                answer = client.get(f"{path}&lang={lang}")
                assert answer.status_code == 200, answer.text
            gc.collect()
            growth = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        pack = client.get("/api/v1/packs?state=CA&lang=qqq").json()
    print(f"memory growth for {REQUESTS} distinct lang requests: {growth / 1e6:.2f} MB")
    assert growth < ALLOWED_GROWTH, (
        f"{REQUESTS} distinct lang requests grew traced memory by {growth / 1e6:.2f} MB "
        f"(allowed {ALLOWED_GROWTH / 1e6:.1f} MB)"
    )
    # What the phone is told: the language served, and that each guide is a fallback.
    assert pack["profile"]["lang"] == "und"
    assert all(g["fallback"] for g in pack["manifest"]["guides"])


def test_a_language_the_index_has_keeps_its_own_answer(client: TestClient) -> None:  # type: ignore[type-arg]
    doc = client.get("/api/v1/guides/overtime?lang=en-US").json()
    assert doc["lang"] == "en" and doc["fallback"] is False and doc["requested_lang"] == "en"


def test_body_cache_is_bounded_by_bytes() -> None:
    cache = BodyCache(max_bytes=200_000)
    bodies: list[Body] = []
    for i in range(100):
        body = make_body(bytes(str(i) * 5000, "ascii")[:20_000] + bytes(i), "application/json")
        bodies.append(body)
        cache.put(("pack", i), body)
    assert cache.bytes <= 200_000
    assert cache.bytes == sum(body_bytes(b) for b in bodies[-len(cache) :])
    assert cache.get(("pack", 99)) is bodies[-1] and cache.get(("pack", 0)) is None
