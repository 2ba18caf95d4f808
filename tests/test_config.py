from __future__ import annotations

from pathlib import Path

import pytest

from parcel_watch.config import ConfigError, database_url, normalize_database_url, sqlite_path


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
    ],
)
def test_urls_are_upgraded_to_async_drivers(raw: str, url: str) -> None:
    assert normalize_database_url(raw) == url


def test_a_bare_path_is_a_sqlite_file(tmp_path: Path) -> None:
    url = normalize_database_url(str(tmp_path / "x.db"))
    assert url == f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    assert sqlite_path(url) == tmp_path / "x.db"


def test_precedence_cli_then_env_then_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PARCEL_WATCH_DB", str(tmp_path / "env.db"))
    assert database_url(str(tmp_path / "cli.db")).endswith("cli.db")
    assert database_url(None).endswith("env.db")
    monkeypatch.delenv("PARCEL_WATCH_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert (
        database_url(None) == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'parcel-watch' / 'parcel-watch.db'}"
    )


@pytest.mark.parametrize("raw", ["", "mysql://root@localhost/x", "ftp://x"])
def test_unsupported_urls_are_refused_clearly(raw: str) -> None:
    with pytest.raises(ConfigError):
        normalize_database_url(raw)


@pytest.mark.parametrize(
    ("raw", "reason"), [("shop\x00.db", "embedded null byte"), ("~no-such-user-here/x.db", "home directory")]
)
def test_an_unusable_database_path_is_a_config_error_naming_it(raw: str, reason: str) -> None:
    # Found by benchmarks/fuzz.py: the path's ValueError / RuntimeError escaped (a traceback for --db).
    with pytest.raises(ConfigError, match=reason) as caught:
        normalize_database_url(raw)
    assert repr(raw) in str(caught.value)
