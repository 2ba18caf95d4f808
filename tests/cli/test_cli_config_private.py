"""The TOML config file may hold notification passwords and tokens: ``parcel-watch``
refuses one that other users can read, naming the file, its mode and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def anomalies(tmp_path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env |= {"PARCEL_WATCH_DB": str(tmp_path / "cli.db"), "PARCEL_WATCH_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "parcel_watch", "anomalies"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_config_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    config = tmp_path / "config.toml"
    config.write_text('notify = ["json://user:s3cret-token@127.0.0.1:9/x"]\n', encoding="utf-8")
    config.chmod(mode)
    run = anomalies(tmp_path, config)
    assert run.returncode == 5, run.stderr
    assert "Traceback" not in run.stderr
    assert str(config) in run.stderr and f"{mode:03o}" in run.stderr
    assert f"chmod 600 {config}" in run.stderr
    assert "s3cret-token" not in run.stderr  # the refusal does not show what it protects


def test_a_private_config_file_is_used(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rules]\nstalled_business_days = 3\n", encoding="utf-8")
    config.chmod(0o600)
    run = anomalies(tmp_path, config)
    assert run.returncode == 0, run.stderr
    assert "readable by other users" not in run.stderr
