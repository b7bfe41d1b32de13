"""Where things live: the content folder, the index, the push database and keys.

Everything is read from environment variables with defaults relative to the project, so a
newcomer needs no configuration and tests can point each run at its own temporary folder.
"""

from __future__ import annotations

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


def get_settings() -> Settings:
    """Settings from the environment (CARTILLA_*), with defaults inside the project."""
    env = os.environ
    state_dir = Path(env.get("CARTILLA_STATE_DIR", PROJECT_ROOT / "var"))
    return Settings(
        content_dir=Path(env.get("CARTILLA_CONTENT_DIR", PROJECT_ROOT / "content")),
        index_path=Path(env.get("CARTILLA_INDEX", state_dir / "index.db")),
        pwa_dir=Path(env.get("CARTILLA_PWA_DIR", PROJECT_ROOT / "pwa")),
        state_dir=state_dir,
        test_mode=env.get("CARTILLA_TEST_MODE", "") == "1",
    )
