"""Real worker processes and the counting sandbox process, for the multi-worker tests and
``benchmarks/scale.py``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tests.workers.support import sandbox_env

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def counting_sandbox(
    tmp: Path, shipments: int, latency_ms: float = 0.0, apis: Sequence[str] = ("ups", "usps", "dhl")
) -> Iterator[str]:
    """The counting sandbox in its own process; yields its URL once it listens."""
    ready = tmp / "sandbox-ready.json"
    ready.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "carriers.sandbox.counting", f"--shipments={shipments}"]
    argv += [f"--latency-ms={latency_ms}", f"--ready={ready}", f"--apis={','.join(apis)}"]
    with open(tmp / "sandbox.err", "wb") as err:
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if proc.poll() is not None:
                raise RuntimeError((tmp / "sandbox.err").read_text())
            if time.monotonic() > deadline:
                raise TimeoutError("the sandbox did not start")
            time.sleep(0.05)
        time.sleep(0.05)  # the file is written in one go, but let the write land
        yield json.loads(ready.read_text())["url"]
    finally:
        proc.terminate()
        proc.wait(10)


def worker_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCEL_WATCH_")}
    env["PARCEL_WATCH_CONFIG"] = str(ROOT / "nonexistent-config.toml")
    return {**env, **sandbox_env(url)}


class WorkerProcess:
    """``parcel-watch worker`` as a child process; stderr goes to a file of its own."""

    def __init__(self, tmp: Path, name: str, db: str, url: str, options: Sequence[str] = ()) -> None:
        self.name = name
        self.err_path = tmp / f"{name}.err"
        self.out_path = tmp / f"{name}.out"
        argv = [sys.executable, "-m", "parcel_watch", "worker", "--db", db, "--name", name, "--json"]
        self._err: IO[bytes] = open(self.err_path, "wb")  # noqa: SIM115 - closed in wait()
        self._out: IO[bytes] = open(self.out_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*argv, *options], cwd=ROOT, env=worker_env(url), stdout=self._out, stderr=self._err
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.wait()

    def stop(self) -> dict[str, Any]:
        """SIGTERM: the worker finishes its rounds, hands back its leases and prints a summary."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.wait()
        if code != 0:
            raise RuntimeError(f"worker {self.name} exited {code}: {self.err_path.read_text()[-2000:]}")
        return dict(json.loads(self.out_path.read_text()))

    def wait(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout)
        self._err.close()
        self._out.close()
        return code

    def alive(self) -> bool:
        return self.proc.poll() is None
