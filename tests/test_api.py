"""The read-only API: what a phone or a developer sees over HTTP."""

from __future__ import annotations

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.content.build import build_index

Client = TestClient[Litestar]
PROFILE = "state=CA&industry=agriculture&status=h2a&lang=es"


def test_catalog_lists_every_guide_with_hash_and_review_status(client: Client) -> None:
    r = client.get("/api/v1/catalog")
    assert r.status_code == 200
    guides = {(g["id"], g["lang"]): g for g in r.json()["guides"]}
    assert set(guides) == {
        ("basic-rights", "es"), ("basic-rights", "en"), ("overtime", "es"),
        ("overtime", "en"), ("h2a-basics", "es"),
    }  # fmt: skip
    g = guides[("basic-rights", "en")]
    assert g["review_status"] == "draft" and g["stale"] is True and len(g["hash"]) == 64


def test_filter_by_profile_falls_back_to_spanish_and_says_so(client: Client) -> None:
    r = client.get("/api/v1/guides?state=CA&industry=agriculture&status=h2a&lang=en")
    found = {(g["id"], g["lang"], g["fallback"]) for g in r.json()["guides"]}
    assert found == {
        ("basic-rights", "en", False),
        ("overtime", "en", False),
        ("h2a-basics", "es", True),
    }
    r = client.get("/api/v1/guides?state=TX&status=h2b&lang=en")
    assert {g["id"] for g in r.json()["guides"]} == {"basic-rights"}


def test_unknown_values_are_400s_listing_allowed_values(client: Client) -> None:
    r = client.get("/api/v1/guides?state=ZZ")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "unknown_state" and "CA" in err["allowed"]
    assert "no es un valor válido" in err["message"]["es"]
    r = client.get("/api/v1/guides?industry=mining")
    assert r.status_code == 400 and "agriculture" in r.json()["error"]["allowed"]
    r = client.get("/api/v1/guides?status=tourist")
    assert r.status_code == 400 and r.json()["error"]["allowed"] == [
        "h2a", "h2b", "undocumented", "any"
    ]  # fmt: skip
    r = client.get("/api/v1/guides?lang=Spanish!")
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_lang"


def test_one_guide_rendered_and_unknown_guide_404(client: Client) -> None:
    r = client.get("/api/v1/guides/overtime?lang=en")
    doc = r.json()
    assert doc["title"] == "Overtime in California" and doc["fallback"] is False
    assert "<h1" in doc["html"] and doc["sources"][0]["url"].startswith("https://")
    r = client.get("/api/v1/guides/h2a-basics?lang=mix")
    assert r.json()["lang"] == "es" and r.json()["fallback"] is True
    r = client.get("/api/v1/guides/no-such-guide")
    assert r.status_code == 404 and r.json()["error"]["code"] == "guide_not_found"


def test_history_and_past_version(client: Client) -> None:
    r = client.get("/api/v1/guides/basic-rights/versions?lang=es")
    assert [v["version"] for v in r.json()["versions"]] == [2]
    r = client.get("/api/v1/guides/basic-rights/versions/2?lang=es")
    assert r.json()["version"] == 2
    r = client.get("/api/v1/guides/basic-rights/versions/9?lang=es")
    assert r.status_code == 404 and r.json()["error"]["code"] == "version_not_found"


def test_search_ignores_accents(client: Client) -> None:
    r = client.get("/api/v1/search?q=basicos&lang=es")
    assert [x["id"] for x in r.json()["results"]] == ["basic-rights"]
    r = client.get('/api/v1/search?q="unbalanced OR (')
    assert r.status_code == 200


def test_pack_has_everything_the_profile_needs_offline(client: Client) -> None:
    r = client.get(f"/api/v1/packs?{PROFILE}")
    pack = r.json()
    assert {g["id"] for g in pack["guides"]} == {"basic-rights", "overtime", "h2a-basics"}
    assert all("html" in g for g in pack["guides"])
    assert [a["id"] for a in pack["data"]["agencies"]] == ["whd", "ca-labor-commissioner"]
    assert [c["id"] for c in pack["data"]["consulates"]] == ["fresno"]
    assert [j["id"] for j in pack["data"]["wage_rules"]] == ["federal"]
    assert pack["data"]["triage"][0]["id"] == "unpaid-wages"
    hashes = {g["hash"] for g in pack["manifest"]["guides"]}
    man = client.get(f"/api/v1/packs/manifest?{PROFILE}").json()
    assert {g["hash"] for g in man["manifest"]["guides"]} == hashes
    # The pack's copy leaves out what its documents say (title) or its hash makes (url).
    assert not {"title", "url"} & {k for g in pack["manifest"]["guides"] for k in g}
    for g in man["manifest"]["guides"]:
        assert g["url"] == f"/api/v1/content/{g['hash']}"
    r = client.get(man["manifest"]["guides"][0]["url"])
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert man["pack_hash"] == pack["pack_hash"]
    r = client.get("/api/v1/packs?industry=agriculture")
    assert r.status_code == 400 and r.json()["error"]["code"] == "missing_state"


def test_conditional_get_answers_304(client: Client) -> None:
    for url in (f"/api/v1/packs?{PROFILE}", "/api/v1/catalog", "/", "/api/v1/guides/overtime"):
        r = client.get(url)
        etag = r.headers["etag"]
        assert etag.startswith('W/"')
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""


def test_text_is_compressed_and_images_are_not(client: Client) -> None:
    r = client.get(f"/api/v1/packs?{PROFILE}", headers={"Accept-Encoding": "br"})
    assert r.headers["content-encoding"] == "br"
    r = client.get(f"/api/v1/packs?{PROFILE}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    png = client.get("/asset-manifest.json").json()["files"]
    pngs = [u for u in png if u.endswith(".png")]
    if pngs:
        r = client.get(pngs[0], headers={"Accept-Encoding": "br, gzip"})
        assert "content-encoding" not in r.headers


def test_pack_changes_only_where_content_changed(built: Settings, client: Client) -> None:
    before = client.get(f"/api/v1/packs/manifest?{PROFILE}").json()["manifest"]["guides"]
    guide = built.content_dir / "guides/overtime.es.md"
    guide.write_text(guide.read_text().replace("version: 1", "version: 2") + "\nMás texto.\n")
    assert build_index(built.content_dir, built.index_path).status == "built"
    client.app.state.catalog.check_interval = 0
    after = client.get(f"/api/v1/packs/manifest?{PROFILE}").json()["manifest"]["guides"]
    changed = {a["id"] for a, b in zip(after, before, strict=True) if a["hash"] != b["hash"]}
    assert changed == {"overtime"}


def test_security_headers_and_static_caching(client: Client) -> None:
    r = client.get("/")
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "geolocation=()" in r.headers["permissions-policy"]
    assert r.headers["cache-control"] == "no-cache"
    files = client.get("/asset-manifest.json").json()["files"]
    url, digest = next(iter(files.items()))
    r = client.get(f"{url}?v={digest}")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/../pyproject.toml").status_code == 404
    assert client.get("/nope.js").status_code == 404


def test_openapi_schema_is_json_without_cdn_ui(client: Client) -> None:
    r = client.get("/schema/openapi.json")
    assert r.status_code == 200
    schema = msgspec.json.decode(r.content)
    assert "/api/v1/packs" in schema["paths"]
    assert client.get("/schema/swagger").status_code == 404


def test_repeat_answers_are_identical_to_first_answers(client: Client) -> None:
    """The second request for a URL is answered by the fast path; it must not differ."""
    for url in (f"/api/v1/packs?{PROFILE}", "/", "/api/v1/guides/overtime?lang=en"):
        for enc in ("br", "gzip", "identity"):
            first = client.get(url, headers={"Accept-Encoding": enc})
            second = client.get(url, headers={"Accept-Encoding": enc})
            assert second.content == first.content
            for h in ("etag", "content-encoding", "content-type", "cache-control",
                      "content-security-policy", "referrer-policy", "vary"):  # fmt: skip
                assert second.headers.get(h) == first.headers.get(h), (url, enc, h)
            again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304
            assert again.headers["x-content-type-options"] == "nosniff"
