"""Where things live: the content folder, the index, the push database and keys; and which
peers are trusted proxies.

Everything is read from environment variables with defaults relative to the project, so a
newcomer needs no configuration and tests can point each run at its own temporary folder.

CARTILLA_DATABASE_URL (empty by default) moves the shared state (push subscriptions, notify
bookkeeping, the relay's metadata and the receipt-key history) into PostgreSQL, for several
instances (docs/deploy.md).

CARTILLA_TRUSTED_PROXIES (comma-separated addresses or networks, e.g. "127.0.0.1,::1"; empty
by default) names the TLS proxy in front of the server. Only for requests whose peer is one
of them are X-Forwarded-For / Forwarded read, to tell clients apart for the rate limits
(server/push/ratelimit.py); the address itself is never stored.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Paths and switches for one run of the server or the command line."""

    content_dir: Path
    index_path: Path
    pwa_dir: Path
    state_dir: Path
    test_mode: bool
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: PostgreSQL for the shared state of several instances (server/storage.py); None: the
    #: SQLite files under state_dir.
    database_url: str | None = None

    @property
    def push_db_path(self) -> Path:
        """Push subscriptions: the only durable server state; never rebuilt from content."""
        return self.state_dir / "push.db"

    @property
    def vapid_key_path(self) -> Path:
        return self.state_dir / "vapid_private.pem"

    @property
    def receipt_key_path(self) -> Path:
        return self.state_dir / "receipt_ed25519.pem"


class SettingsError(ValueError):
    """A CARTILLA_* variable that cannot be used, said in Spanish and English."""

    def __init__(self, es: str, en: str) -> None:
        super().__init__(en)
        self.es = es
        self.en = en


#: More than this many entries is a mistake, not a proxy list (and bounds the work per request).
MAX_TRUSTED_PROXIES = 64


def parse_trusted_proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """ "127.0.0.1, ::1, 10.0.0.0/8" -> networks; SettingsError naming the bad entry."""
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            shown = entry[:60]
            raise SettingsError(
                f"CARTILLA_TRUSTED_PROXIES: «{shown}» no es una dirección IP ni una red "
                "(ejemplo: 127.0.0.1,::1).",
                f"CARTILLA_TRUSTED_PROXIES: {shown!r} is not an IP address or network "
                "(example: 127.0.0.1,::1).",
            ) from None
    if len(networks) > MAX_TRUSTED_PROXIES:
        raise SettingsError(
            f"CARTILLA_TRUSTED_PROXIES: como máximo {MAX_TRUSTED_PROXIES} entradas.",
            f"CARTILLA_TRUSTED_PROXIES: at most {MAX_TRUSTED_PROXIES} entries.",
        )
    return tuple(networks)


def get_settings() -> Settings:
    """Settings from the environment (CARTILLA_*), with defaults inside the project.

    Raises SettingsError for a variable that cannot be used (server/cli.py prints it).
    """
    env = os.environ
    state_dir = Path(env.get("CARTILLA_STATE_DIR", PROJECT_ROOT / "var"))
    return Settings(
        content_dir=Path(env.get("CARTILLA_CONTENT_DIR", PROJECT_ROOT / "content")),
        index_path=Path(env.get("CARTILLA_INDEX", state_dir / "index.db")),
        pwa_dir=Path(env.get("CARTILLA_PWA_DIR", PROJECT_ROOT / "pwa")),
        state_dir=state_dir,
        test_mode=env.get("CARTILLA_TEST_MODE", "") == "1",
        trusted_proxies=parse_trusted_proxies(env.get("CARTILLA_TRUSTED_PROXIES", "")),
        database_url=parse_database_url(env.get("CARTILLA_DATABASE_URL", "")),
    )


def parse_database_url(text: str) -> str | None:
    """CARTILLA_DATABASE_URL: empty (SQLite files) or a postgresql:// URL."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith(("postgresql://", "postgres://")) or len(text) > 2000:
        raise SettingsError(
            "CARTILLA_DATABASE_URL debe estar vacía (archivos SQLite) o ser una URL "
            "postgresql://usuario@servidor:puerto/base.",
            "CARTILLA_DATABASE_URL must be empty (SQLite files) or a postgresql:// URL, "
            "such as postgresql://user@host:port/dbname.",
        )
    return text
