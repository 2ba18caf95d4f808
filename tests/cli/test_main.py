"""main() in process: exit codes of the error paths, and --debug."""

from __future__ import annotations

import argparse
import json

import pytest

from parcel_watch.cli import ExitCode, commands_read, main


def test_main_returns_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", "1Z8V92A70367203024", "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["candidates"][0]["carrier"] == "ups"
    assert main(["--help"]) == ExitCode.OK
    assert "exit codes:" in capsys.readouterr().out
    assert main(["no-such-command"]) == ExitCode.USAGE
    assert main([]) == ExitCode.USAGE
    assert main(["--db", "mysql://x/y", "list"]) == ExitCode.DATABASE
    assert "unsupported database URL scheme" in capsys.readouterr().err


def _boom(args: argparse.Namespace) -> int:
    raise RuntimeError("boom")


def test_internal_errors_are_short_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(commands_read, "cmd_carriers", _boom)
    monkeypatch.delenv("PARCEL_WATCH_DEBUG", raising=False)
    assert main(["carriers"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "--debug" in err and "Traceback" not in err

    assert main(["carriers", "--debug"]) == ExitCode.INTERNAL
    assert "Traceback" in capsys.readouterr().err

    monkeypatch.setenv("PARCEL_WATCH_DEBUG", "1")
    assert main(["carriers"]) == ExitCode.INTERNAL
    assert "Traceback" in capsys.readouterr().err
