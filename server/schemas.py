"""Every JSON Schema Cartilla publishes in `content/schema/`, generated from the Structs.

The Structs are the source of truth; the files are a copy for other tools (editors, the
phone's tests, agencies that read an export). `cartilla schemas` writes them all and
`cartilla check` fails while any of them differs from what the Structs produce, which
happens only when a Struct changed or the lock was upgraded to a msgspec that writes
schemas differently (see README, "Dependencies").
"""

from __future__ import annotations

from collections.abc import Callable

from server.content.schema import SCHEMAS as CONTENT_SCHEMAS
from server.content.schema import schema_json
from server.log_format import log_schema_json


def _content(name: str) -> Callable[[], bytes]:
    return lambda: schema_json(CONTENT_SCHEMAS[name])


#: File name in `content/schema/` -> a function giving the file's exact bytes.
EXPORTED_SCHEMAS: dict[str, Callable[[], bytes]] = {
    **{name: _content(name) for name in CONTENT_SCHEMAS},
    "log.schema.json": log_schema_json,
}
