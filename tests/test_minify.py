"""The web app is served minified: smaller, and still the same program.

Every JS module, once minified, must still parse as the kind of script it is (Node checks
the syntax of each one), keep every string and template literal exactly, and be what the
server serves and hashes. The browser tests then run the whole app on these bytes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest

from server.config import PROJECT_ROOT
from server.minify import minify
from server.static import StaticSite

PWA = PROJECT_ROOT / "pwa"
SCRIPTS = sorted(p for p in PWA.rglob("*.js") if "node_modules" not in p.parts)
# Classic scripts (service workers using importScripts); everything else is an ES module.
CLASSIC = {"sw.js", "sw-push.js", "db.js"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to check the syntax")
def test_every_minified_script_still_parses(tmp_path: Path) -> None:
    failures = []
    for path in SCRIPTS:
        rel = path.relative_to(PWA)
        kind = (
            ".cjs"
            if rel.name in CLASSIC or (rel.parts[0] == "staff" and rel.name == "sw.js")
            else ".mjs"
        )
        out = tmp_path / (str(rel).replace("/", "__") + kind)
        out.write_bytes(minify(".js", path.read_bytes()))
        done = subprocess.run(["node", "--check", str(out)], capture_output=True, text=True)
        if done.returncode != 0:
            failures.append(f"{rel}: {done.stderr.strip().splitlines()[-1:]}")
    assert not failures, "\n".join(failures)


def test_strings_and_template_literals_survive() -> None:
    src = b"const a = `one\n   // two ${x /* c */ + 1}`; // gone\nconst s = 'a // b'; /* gone */\n"
    out = minify(".js", src)
    assert b"`one\n   // two ${" in out  # template text kept, line break included
    assert b'"a // b"' in out or b"'a // b'" in out
    assert b"gone" not in out


def test_local_names_shrink_but_exported_and_global_names_stay() -> None:
    src = (
        b"export function checkWages(records) { const totalMinutes = records.length;"
        b" return totalMinutes * 2; }\nfunction helperOnTop(value) { return value; }\n"
    )
    out = minify(".js", src)
    assert b"export function checkWages(" in out
    assert b"function helperOnTop(" in out  # a classic script's globals are shared
    assert b"totalMinutes" not in out and b"records" not in out


def test_a_script_that_does_not_parse_is_served_as_it_is() -> None:
    assert minify(".js", b"const = ;") == b"const = ;"


def test_the_server_serves_and_hashes_the_minified_bytes() -> None:
    site = StaticSite(PWA)
    f = site.get("/js/wages.js")
    assert f is not None
    source = (PWA / "js" / "wages.js").read_bytes()
    assert f.body.raw == minify(".js", source)
    assert len(f.body.raw) < len(source)
    # Comments explain the code to developers; the phone never downloads them.
    assert not re.search(rb"^\s*//", f.body.raw, re.M)
    assert len(brotli.compress(f.body.raw, quality=11)) < len(brotli.compress(source, quality=11))


def test_json_is_compact_and_unparseable_files_are_served_as_they_are() -> None:
    assert minify(".json", b'{\n  "a": [1, 2]\n}\n') == b'{"a":[1,2]}'
    assert minify(".json", b"{not json") == b"{not json"
    assert minify(".png", b"\x89PNG") == b"\x89PNG"
