"""Tables in README.md and docs/*.md, generated from the code with cog.

Each doc marks a generated table with a `[[[cog ... ]]]` block that calls one function here;
`cog -r FILE` rewrites the table, and `tests/test_docs_generated.py` runs `cog --check` on
every doc so a table that drifts from the code fails the suite. Only facts that the code
owns are generated (commands, fields, codes, limits); the prose around them is written by
hand.
"""

from __future__ import annotations

import argparse
import typing
from collections.abc import Iterable

import msgspec


def _row(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = [_row(*header), "|" + "---|" * len(header)]
    lines += [_row(*r) for r in rows]
    return "\n".join(lines)


def _usage(name: str, parser: argparse.ArgumentParser) -> str:
    parts = [f"cartilla {name}"]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            parts.append(str(action.metavar or action.dest.upper()))
        else:
            flag = max(action.option_strings, key=len)
            if action.nargs == 0:
                parts.append(f"[{flag}]")
            else:
                parts.append(f"[{flag} {action.metavar or action.dest.upper()}]")
    return " ".join(parts)


def cli_table() -> str:
    """Every `cartilla` subcommand with its arguments and help, from the argparse parser."""
    from server.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in sub._choices_actions}
    rows = [(f"`{_usage(n, p)}`", helps[n]) for n, p in sub.choices.items()]
    return _table(("command", "does"), rows)


def _literal_values(tp: object) -> list[str]:
    values: list[str] = []
    for arg in typing.get_args(tp):
        if typing.get_origin(arg) is typing.Literal:
            values += [str(v) for v in typing.get_args(arg)]
        elif isinstance(arg, str):
            values.append(arg)
        else:
            values += _literal_values(arg)
    return values


def literal_list(module: str, name: str) -> str:
    """The values of a `Literal` type alias, as a comma-separated list of code spans."""
    import importlib

    tp = getattr(importlib.import_module(module), name)
    return ", ".join(f"`{v}`" for v in _literal_values(tp))


def vocabulary_table(module: str, rows: list[tuple[str, str]]) -> str:
    """A table of (what, the values of a `Literal` type alias) rows."""
    return _table(("vocabulary", "values"), [(what, literal_list(module, n)) for what, n in rows])


def struct_fields_table(module: str, names: list[str]) -> str:
    """For each Struct: its tag and fields; required fields first, optional in brackets."""
    import importlib

    mod = importlib.import_module(module)
    rows = []
    for name in names:
        struct = getattr(mod, name)
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        fields = [
            f"`{f.encode_name}`" if f.required else f"[`{f.encode_name}`]"
            for f in info.fields
            if f.encode_name != "id"
        ]
        rows.append((f"`{info.tag}`" if info.tag else name, ", ".join(fields)))
    return _table(("record (`type`)", "fields (`id` on all; [optional])"), rows)


def bundle_limits_table() -> str:
    """The evidence-bundle reading limits, from `server.evidence.zipread.Limits`."""
    from server.evidence.chain import MAX_LINES
    from server.evidence.zipread import DEFAULT_LIMITS

    mib = 1024 * 1024
    lim = DEFAULT_LIMITS
    rows = [
        ("bundle file", f"{lim.max_bundle_bytes // mib} MB"),
        ("entries in the ZIP (read from the end record before parsing)", f"{lim.max_files:,}"),
        ("one file, uncompressed", f"{lim.max_file_bytes // mib} MB"),
        ("all files, uncompressed", f"{lim.max_total_bytes // mib} MB"),
        (
            f"expansion ratio of a file over {lim.ratio_floor_bytes // mib} MB",
            f"{lim.max_ratio} : 1",
        ),
        ("journal lines", f"{MAX_LINES:,}"),
        (
            "a photo's size, read from its header before any decoding",
            f"{lim.max_photo_side:,} px a side, {lim.max_photo_pixels // 1_000_000} megapixels",
        ),
    ]
    return _table(("limit", "value"), rows)


#: Which check reports each bundle error code (server/evidence/verify.py; the desk's twin).
_CHECK_CODES = {
    "zip": "empty too_big not_zip truncated damaged leading_bytes trailing_bytes hidden_bytes "
    "overlapping_entries zip64 local_header_mismatch name_not_utf8 confusing_name too_many_files "
    "file_too_big total_too_big zip_bomb unsafe_name duplicate_name unsupported_entry "
    "no_single_folder",
    "bag": "bundle_version_old bundle_version_unknown",
    "bag, signature, schema": "missing_file",
    "bag, payload, tags": "bad_bagit",
    "payload, tags": "hash_mismatch not_in_manifest listed_missing",
    "signature": "bad_public_key weak_public_key weak_signature signature_invalid key_mismatch",
    "schema": "bad_schema json_duplicate_key json_too_deep json_lone_surrogate json_number",
    "chain": "chain_edited chain_broken chain_head_mismatch key_not_in_chain",
    "rules": "no_data record_mismatch no_reason replaces_unknown replaces_not_latest no_receipt "
    "no_key duplicate_id time_invalid time_backwards time_after_bundle time_after_receipt",
    "receipts": "receipt_forged receipt_unknown_key receipt_not_in_chain key_changed_after_receipt",
    "photos": "photo_missing photo_changed photo_unrecorded photo_type_mismatch photo_too_large",
    "any (a surprise: never VERIFIED)": "verifier_error",
    "report endpoint (413)": "request_too_big",
}
_ERROR_CHECK = {code: check for check, codes in _CHECK_CODES.items() for code in codes.split()}


def bundle_errors_table() -> str:
    """Every bundle error code, the check that reports it and the message the desk shows."""
    from server.evidence.errors import MESSAGES

    rows = [
        (f"`{code}`", _ERROR_CHECK.get(code, "see errors.py"), f"{en} / {es}")
        for code, (es, en) in MESSAGES.items()
    ]
    return _table(("code", "check", "what the desk shows (English / Spanish)"), rows)


def schema_files_table() -> str:
    """Each exported JSON Schema in content/schema/ and the Struct it is generated from."""
    from server.content.schema import SCHEMAS
    from server.schemas import EXPORTED_SCHEMAS

    rows = []
    for name in EXPORTED_SCHEMAS:
        struct = SCHEMAS[name].__name__ if name in SCHEMAS else "LogExport"
        rows.append((f"`content/schema/{name}`", f"`{struct}`"))
    return _table(("file", "generated from"), rows)


def entrega_limits_table() -> str:
    """The relay's lifetimes, sizes and guess limits, from the constants that enforce them."""
    from server.entrega import envelope, limits, store

    def minutes(seconds: float) -> str:
        n, unit = (
            (int(seconds // 60), "minute") if seconds < 3600 else (int(seconds // 3600), "hour")
        )
        return f"{n} {unit}" + ("s" if n != 1 else "")

    rows = [
        ("pickup code (after complete)", f"{store.PICKUP_SECONDS // 86400} days",
         "`store.PICKUP_SECONDS`"),
        ("an upload never completed", minutes(store.UPLOADING_SECONDS),
         "`store.UPLOADING_SECONDS`"),
        ("window session", minutes(store.WINDOW_SECONDS), "`store.WINDOW_SECONDS`"),
        ("challenge", minutes(store.CHALLENGE_SECONDS), "`store.CHALLENGE_SECONDS`"),
        ("desk session token", minutes(store.SESSION_SECONDS), "`store.SESSION_SECONDS`"),
        ("chunk size", f"{store.CHUNK_SIZE} bytes", "`store.CHUNK_SIZE`"),
        ("largest ciphertext", f"{envelope.MAX_CIPHERTEXT} bytes (48 MiB bucket + age overhead "
         f"+ {envelope.AGE_HEADER_ALLOWANCE} header bytes)", "`envelope.MAX_CIPHERTEXT`"),
        ("all stored uploads together", f"{store.MAX_STORED_BYTES // 2**30} GiB",
         "`store.MAX_STORED_BYTES`"),
        ("wrong pickup codes, per office", f"{limits.PICKUP_MISSES.events} per "
         f"{minutes(limits.PICKUP_MISSES.seconds)}", "`limits.PICKUP_MISSES`"),
        ("wrong window codes, whole server", f"{limits.WINDOW_MISSES.events} per "
         f"{minutes(limits.WINDOW_MISSES.seconds)}", "`limits.WINDOW_MISSES`"),
        ("challenges, per office", f"{limits.CHALLENGES.events} per "
         f"{minutes(limits.CHALLENGES.seconds)}", "`limits.CHALLENGES`"),
    ]  # fmt: skip
    return _table(("what", "limit", "constant (server/entrega/)"), rows)
