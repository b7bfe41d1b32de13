"""Writes the vectors Python and JavaScript both test against, and the two-words list.

    python -m server.entrega.vectors          # rewrite tests/entrega_vectors.json, words.json
    python -m server.entrega.vectors --check  # exit 1 if either file is out of date

Everything here is deterministic except the one age ciphertext (age encryption is random):
it is kept from the existing file as long as it still decrypts to the expected envelope.
The identities below are test keys made for these vectors; they belong to no office.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from server.config import PROJECT_ROOT
from server.entrega import codes, envelope

VECTORS_PATH = PROJECT_ROOT / "tests" / "entrega_vectors.json"
WORDS_PATH = codes.WORDS_PATH

#: Test identities (never an office's): the vectors' recipients and the interop ciphertext.
TEST_IDENTITIES = [
    (
        "AGE-SECRET-KEY-1KG8LH6ERVD3XQ02EJEJGE4M6NQVXRKXXF9U4XQ5R03YV4RSC4QAQ7E6X4P",
        "age1v9z8n8jsdmrwpaxaley39vmq4tkyfv2nfpvc5s449v9stlkmhg5s68mtvf",
    ),
    (
        "AGE-SECRET-KEY-1303RCMH45G95A22LR6G7STQDL6FQSU28V54KVZML9PF9XMW0QFAST8ZWSC",
        "age1xmxy0kt0w46xkrd56wt8k9ut745f0n7mj2t0yjqtsv9kyucl0etsfmrkkz",
    ),
    (
        "AGE-SECRET-KEY-1AW6TCQEU5SH2QW8UL93WTJPMSRLHPZEFX2GRS8HSZXZ3VZ42D9ASHM8TGX",
        "age1k09r0sz7fnn246m244rp78ugqdszx20n3vkjlrd3am5gvyw9dvlsxtud29",
    ),
    (
        "AGE-SECRET-KEY-1DQKUWD3QDPP7CLA4RUV7UG3KFD5MDSQ8VPFRMXN2EPTDNCED8RFQXJCX82",
        "age1csxjxrr4tdp38s32wmh5rgca7lm0y768ktu8n72t693vcuezauwqjsf0gl",
    ),
]

#: Candidates for the two words, in order of preference: short words spelled the same in
#: Spanish and English (or Spanish words English uses), no accents. `word_list` drops any
#: that sounds too close to one kept before it, and keeps the first 256.
WORD_CANDIDATES = """
taco nacho salsa mango papaya banana kiwi coco cacao pasta pizza tortilla nopal chile cereal
quinoa tofu sushi wasabi ramen paella flan churro mole chorizo cilantro fajita burrito oregano
tequila mojito soda tuna lima coral beige magenta puma llama alpaca iguana coyote jaguar orca
boa panda koala tapir dingo cobra burro mosquito radio piano tango mambo rumba samba cumbia
bolero mariachi sonata polka jazz tenor viola tuba banjo bongo conga marimba maraca rodeo
patio plaza fiesta siesta sombrero poncho rancho mesa adobe alamo arroyo pueblo hacienda
bonanza bronco cargo lava delta canal oasis safari sauna villa sierra vista pampa atlas arena
aroma cactus campus hotel motel casino taxi metro auto moto radar robot video kayak yoga judo
karate golf polo rugby club bar surf gala kimono karaoke origami tsunami pagoda tornado
tapioca bingo combo idea ideal real social animal natural formal moral oral rural gas gel
actor doctor tutor motor tractor error humor color favor honor rumor vapor sector factor altar
solar polar lunar regular popular similar local vocal total final vital dental metal rival
viral plural mural legal global normal cable noble simple agenda alcohol base banal central
civil debate decimal festival flora fauna general hospital manual marina material mineral
musical panorama radical tropical visual zoo drama enigma extra status plasma pedal karma diva
saga zinc iris solo veto kilo logo beta omega zeta sigma nova visa macho gusto pronto bravo
amigo loco mucho nada silo capital cardinal cordial digital editor fiscal frugal interior
exterior superior mayor neutral nominal original pastoral personal postal principal rector
sensor terminal trivial usual virtual hexagonal horizontal industrial eternal crucial alias
balsa casual censor chef cosmos flamenco granola mantra mental ninja santa soprano tarot tibia
tiara ultra umbral yoyo tapas limbo fiasco embargo aura  sonar gaucho piñata zorro
bandana
"""


def _phonetic(word: str) -> str:
    """A rough Spanish/English sound key: letters that sound alike map to one."""
    w = word.lower().replace("h", "")
    for a, b in (
        ("qu", "k"),
        ("ll", "y"),
        ("ce", "se"),
        ("ci", "si"),
        ("c", "k"),
        ("v", "b"),
        ("z", "s"),
        ("j", "g"),
        ("x", "ks"),
        ("ph", "f"),
    ):
        w = w.replace(a, b)
    out = ""
    for ch in w:
        if not out or out[-1] != ch:
            out += ch
    return out


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def word_list() -> list[str]:
    """256 words, no two written or sounding within one letter of each other."""
    kept: list[str] = []
    keys: list[str] = []
    for word in WORD_CANDIDATES.split():
        if not word.isascii() or not word.isalpha() or len(word) > 9 or word in kept:
            continue
        key = _phonetic(word)
        if any(
            _distance(key, k) < 2 or _distance(word, w) < 2 for k, w in zip(keys, kept, strict=True)
        ):
            continue
        kept.append(word)
        keys.append(key)
        if len(kept) == 256:
            return kept
    raise SystemExit(f"only {len(kept)} distinct words; add candidates")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _compact(data: bytes) -> dict[str, Any]:
    """An envelope as head + NUL fill + tail, so 64 KiB of zeros need not be written out."""
    stripped = data.rstrip(b"\0")
    return {"head": _b64(stripped), "total": len(data)}


def _code_vectors() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seeds = ["pickup-1", "pickup-2", "pickup-3", "window-1", "window-2"]
    for seed in seeds:
        digest = hashlib.sha256(seed.encode()).digest()
        n = codes.PICKUP_RANDOM if seed.startswith("pickup") else codes.WINDOW_RANDOM
        body = "".join(codes.ALPHABET[b % 32] for b in digest[:n])
        check = codes.luhn32_check(body)
        out.append(
            {
                "kind": seed.split("-")[0],
                "random": body,
                "check": check,
                "shown": codes.show(body + check),
            }
        )
    return out


def _typed_vectors(codes_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for vec in codes_list:
        full = vec["random"] + vec["check"]
        kind = vec["kind"]
        out.append({"kind": kind, "typed": vec["shown"], "ok": full})
        out.append({"kind": kind, "typed": " " + vec["shown"].lower() + " ", "ok": full})
        spaced = " ".join(full[i : i + 3] for i in range(0, len(full), 3))
        out.append({"kind": kind, "typed": spaced, "ok": full})
        # One symbol wrong: Luhn mod 32 catches every single substitution.
        wrong = codes.ALPHABET[(codes.ALPHABET.index(full[2]) + 7) % 32]
        out.append({"kind": kind, "typed": full[:2] + wrong + full[3:], "error": "code_typo"})
        # Two neighbours swapped (when they differ and the swap is caught).
        for i in range(len(full) - 1):
            swapped = full[:i] + full[i + 1] + full[i] + full[i + 2 :]
            if full[i] != full[i + 1] and not codes.luhn32_valid(swapped):
                out.append({"kind": kind, "typed": swapped, "error": "code_typo"})
                break
        out.append({"kind": kind, "typed": full[:-1], "error": "bad_code"})
        out.append({"kind": kind, "typed": full + "0", "error": "bad_code"})
        out.append({"kind": kind, "typed": full[:-1] + "U", "error": "bad_code"})
    # Letters read as digits: O is 0, I and L are 1.
    body = "O0IL1ABCD"
    read = "00111ABCD"
    check = codes.luhn32_check(read)
    out.append({"kind": "pickup", "typed": body + check, "ok": read + check})
    out.append({"kind": "pickup", "typed": "", "error": "bad_code"})
    out.append({"kind": "pickup", "typed": "ÑÑÑÑÑ-ÑÑÑÑÑ", "error": "bad_code"})
    return out


def _envelope_vectors() -> list[dict[str, Any]]:
    bundle = b"PK\x03\x04 not a real zip, the envelope does not look inside"
    name = "cartilla-evidence-2026-12-02.zip"
    good = envelope.make(name, bundle)
    head = envelope.MAGIC + envelope.header_line(name, len(bundle))
    cases: list[dict[str, Any]] = [
        {"case": "good", **_compact(good), "name": name, "bundle": _b64(bundle)},
    ]

    def bad(case: str, data: bytes, error: str, tail: bytes = b"") -> None:
        entry: dict[str, Any] = {"case": case, **_compact(data), "error": error}
        if tail:  # bytes at the very end, after the NUL fill
            entry = {
                "case": case,
                "head": _b64(data),
                "total": 65536,
                "error": error,
                "tail": _b64(tail),
            }
        cases.append(entry)

    def padded(data: bytes) -> bytes:
        return data + b"\0" * (65536 - len(data))

    bad(
        "wrong first line",
        padded(b"cartilla-entrega/2\n" + head[len(envelope.MAGIC) :] + bundle),
        "bad_magic",
    )
    bad(
        "spaces in header",
        padded(
            envelope.MAGIC
            + b'{"name": "'
            + name.encode()
            + b'", "size": '
            + str(len(bundle)).encode()
            + b"}\n"
            + bundle
        ),
        "bad_header",
    )
    bad(
        "keys out of order",
        padded(
            envelope.MAGIC
            + b'{"size":'
            + str(len(bundle)).encode()
            + b',"name":"'
            + name.encode()
            + b'"}\n'
            + bundle
        ),
        "bad_header",
    )
    bad(
        "extra key",
        padded(
            envelope.MAGIC
            + b'{"name":"'
            + name.encode()
            + b'","size":'
            + str(len(bundle)).encode()
            + b',"x":1}\n'
            + bundle
        ),
        "bad_header",
    )
    bad(
        "size as string",
        padded(
            envelope.MAGIC
            + b'{"name":"'
            + name.encode()
            + b'","size":"'
            + str(len(bundle)).encode()
            + b'"}\n'
            + bundle
        ),
        "bad_header",
    )
    bad(
        "name with a folder",
        padded(envelope.MAGIC + envelope.header_line("../x.zip", len(bundle)) + bundle),
        "bad_name",
    )
    bad(
        "name not a zip",
        padded(envelope.MAGIC + envelope.header_line("x.exe", len(bundle)) + bundle),
        "bad_name",
    )
    bad(
        "size larger than what follows",
        envelope.MAGIC + envelope.header_line(name, 70000) + bundle,
        "bad_size",
    )
    bad("size zero", padded(envelope.MAGIC + envelope.header_line(name, 0)), "bad_size")
    bad("non-NUL byte in the padding", head + bundle, "bad_padding", tail=b"\x01")
    return cases


def _age_vector(previous: dict[str, Any] | None) -> dict[str, Any]:
    """One real age file (to the first test identity) both sides decrypt; kept if valid."""
    import pyrage

    identity, recipient = TEST_IDENTITIES[0]
    plaintext = envelope.make("cartilla-evidence-2026-12-02.zip", b"PK\x05\x06" + b"\0" * 18)
    if previous:
        try:
            got = pyrage.decrypt(
                base64.b64decode(previous["ciphertext"]),
                [pyrage.x25519.Identity.from_str(identity)],
            )
            if got == plaintext and previous.get("identity") == identity:
                return previous
        except (pyrage.DecryptError, KeyError, ValueError):
            pass
    ciphertext = pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(recipient)])
    return {
        "identity": identity,
        "recipient": recipient,
        "ciphertext": _b64(ciphertext),
        "plaintext_sha256": hashlib.sha256(plaintext).hexdigest(),
    }


def build(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    code_list = _code_vectors()
    return {
        "about": "Shared by server/entrega (Python) and pwa/js/entrega (JavaScript); "
        "made by `python -m server.entrega.vectors`. Test keys only.",
        "alphabet": codes.ALPHABET,
        "fingerprints": [
            {"recipient": r, "fingerprint": codes.fingerprint(r)} for _, r in TEST_IDENTITIES
        ],
        "two_words": [
            {"recipient": r, "words": list(codes.two_words(r))} for _, r in TEST_IDENTITIES
        ],
        "codes": code_list,
        "typed": _typed_vectors(code_list),
        "window_qr": {
            "text": f"CARTILLA-W1:{code_list[3]['random']}{code_list[3]['check']}:"
            f"{TEST_IDENTITIES[1][1]}",
            "code": code_list[3]["shown"],
            "recipient": TEST_IDENTITIES[1][1],
        },
        "buckets": list(envelope.BUCKETS),
        "max_ciphertext": envelope.MAX_CIPHERTEXT,
        "envelopes": _envelope_vectors(),
        "age": _age_vector((previous or {}).get("age")),
    }


def render_words() -> str:
    return json.dumps(word_list(), indent=0, ensure_ascii=True) + "\n"


def render_vectors(previous: dict[str, Any] | None) -> str:
    return json.dumps(build(previous), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    words_text = render_words()
    stale: list[Path] = []
    if not WORDS_PATH.exists() or WORDS_PATH.read_text(encoding="utf-8") != words_text:
        stale.append(WORDS_PATH)
        if not check:
            WORDS_PATH.parent.mkdir(parents=True, exist_ok=True)
            WORDS_PATH.write_text(words_text, encoding="utf-8")
            codes.words.cache_clear()
    previous = json.loads(VECTORS_PATH.read_text("utf-8")) if VECTORS_PATH.exists() else None
    vectors_text = render_vectors(previous)
    if not VECTORS_PATH.exists() or VECTORS_PATH.read_text(encoding="utf-8") != vectors_text:
        stale.append(VECTORS_PATH)
        if not check:
            VECTORS_PATH.write_text(vectors_text, encoding="utf-8")
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path.relative_to(PROJECT_ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
