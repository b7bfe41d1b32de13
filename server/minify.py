"""What the phone downloads of the web app: the source in `pwa/` without comments and spaces.

Bytes are precious on a phone (the first visit must stay within 100 KB compressed), and most
of a module's size is comments that explain it to developers. The server serves, hashes and
compresses the minified bytes; the files in git stay readable. JS goes through tdewolff's
minifier (a parser, not a regex): comments and spaces go and local names are shortened, which
brotli alone cannot win back (about 5 KB of the first visit); exported and global names are
kept, and strings and template literal text are kept exactly. CSS goes through rcssmin (the JS
minifier wins nothing there), and JSON is re-encoded compactly. Everything the browser tests
check runs on these minified bytes.
"""

from __future__ import annotations

import minify as tdewolff
import msgspec
import rcssmin


def minify(suffix: str, raw: bytes) -> bytes:
    """The bytes to serve for a file with this suffix; anything unknown is served as is."""
    try:
        if suffix in (".js", ".mjs"):
            js: str = tdewolff.string("application/javascript", raw.decode("utf-8"))
            return js.encode("utf-8") + b"\n"
        if suffix == ".css":
            css: str = rcssmin.cssmin(raw.decode("utf-8"))
            return css.encode("utf-8") + b"\n"
        if suffix in (".json", ".webmanifest"):
            return msgspec.json.encode(msgspec.json.decode(raw))
    except (UnicodeDecodeError, msgspec.DecodeError, tdewolff.MinifyError):
        # A file that does not parse is served as it is: the browser reports it exactly as
        # it would without minification, and the tests that load it fail on it.
        return raw
    return raw
