"""The HTTP surface a hostile page or client meets: body types, HEAD, and CORP everywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings

Client = TestClient[Litestar]
RECEIPT = {"hash": "ab" * 32}


@pytest.mark.parametrize(
    ("path", "content_type", "wanted"),
    [
        ("/api/v1/receipts", "text/plain", "application/json"),
        ("/api/v1/receipts", "application/x-www-form-urlencoded", "application/json"),
        ("/api/v1/receipts", None, "application/json"),
        ("/api/v1/push/subscriptions", "text/plain", "application/json"),
        ("/api/v1/bundles/report", "text/plain", "application/zip"),
        ("/api/v1/bundles/report", "application/json", "application/zip"),
    ],
)
def test_bodies_of_the_wrong_type_are_415_in_both_languages(
    client: Client, path: str, content_type: str | None, wanted: str
) -> None:
    # text/plain and form posts are what another site can send without a CORS preflight.
    headers = {"content-type": content_type} if content_type else {}
    answer = client.post(path, content=b'{"hash": "' + b"ab" * 32 + b'"}', headers=headers)
    assert answer.status_code == 415, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_media_type" and error["expected"] == wanted
    assert wanted in error["message"]["es"] and wanted in error["message"]["en"]


def test_the_right_types_still_work(client: Client) -> None:
    answer = client.post(
        "/api/v1/receipts", json=RECEIPT, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 200
    charset = client.post(
        "/api/v1/receipts", content=b'{"hash":"' + b"cd" * 32 + b'"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )  # fmt: skip
    assert charset.status_code == 200


def _get_paths(app: Litestar, values: dict[str, str]) -> list[str]:
    paths: set[str] = set()
    for route in app.routes:
        methods = getattr(route, "methods", set())
        if "GET" not in methods:
            continue
        paths.add(re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], route.path))
    return sorted(paths)


def test_head_answers_on_every_get_route_without_a_get_first(built: Settings) -> None:
    with TestClient(create_app(built)) as first:
        guide = first.get("/api/v1/catalog").json()["guides"][0]
    values = {"guide_id": guide["id"], "version": str(guide["version"]), "doc_hash": guide["hash"],
              "file_path": "js/app.js", "path": "openapi.json",
              "upload_id": "0" * 32, "window_id": "0" * 32, "code": "ABC-DEF",
              "name": "manifest.json"}  # fmt: skip
    ca = "?state=CA"
    queries = {"/api/v1/search": "?q=horas", "/api/v1/packs": ca,
               "/api/v1/packs/manifest": ca, "/api/v1/packs/data": ca}  # fmt: skip
    app = create_app(built)  # fresh: nothing remembered by an earlier GET
    seen: dict[str, Any] = {}
    with TestClient(app) as client:
        for path in _get_paths(app, values):
            url = path + queries.get(path, "")
            head = client.head(url, headers={"accept-encoding": "identity"})
            seen[url] = head.status_code
            assert head.content == b""
            got = client.get(url, headers={"accept-encoding": "identity"})
            # The same answer as the GET, without its body (a 503 push key is still a 503).
            assert head.status_code == got.status_code != 405, (url, head.status_code)
            if "content-length" in head.headers:
                assert head.headers["content-length"] == got.headers["content-length"], url
    assert len(seen) >= 15 and list(seen.values()).count(200) >= 14, seen


def test_every_answer_says_cross_origin_resource_policy_same_origin(client: Client) -> None:
    catalog = client.get("/api/v1/catalog")
    answers = {
        "200": catalog,
        "304": client.get("/api/v1/catalog", headers={"if-none-match": catalog.headers["etag"]}),
        "404": client.get("/api/v1/guides/nope"),
        "404 static": client.get("/no/such/file.txt"),
        "400": client.get("/api/v1/packs?state=XX"),
        "405": client.put("/api/v1/catalog", json={}),
        "415": client.post(
            "/api/v1/receipts", content=b"x", headers={"content-type": "text/plain"}
        ),
        "key": client.get("/.well-known/cartilla-receipt-key"),
        "receipt": client.post("/api/v1/receipts", json=RECEIPT),
        "schema": client.get("/schema/openapi.json"),
        "head": client.head("/"),
    }
    missing = {
        name: r.status_code
        for name, r in answers.items()
        if r.headers.get("cross-origin-resource-policy") != "same-origin"
    }
    assert not missing, missing
