"""Start-up times of the `thinktank` command, beside `python -c pass` on the same interpreter.

    uv run python benchmarks/startup.py
    uv run python benchmarks/startup.py --runs 7

Each is run once first, not counted, and then `--runs` times. Prints the median (wall time,
and the CPU time of the process and its children, which other work on the machine slows less) for:
- `python -c pass` (the baseline: the interpreter alone);
- `thinktank --help`;
- `thinktank demo --no-serve` (a fresh demo database with its analyses and search index, in a
  temporary THINKTANK_VAR);
- the first page: from starting `thinktank serve` on that demo database until `/` answers 200.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status:
        raise SystemExit(f"{' '.join(command)} failed: {child.stderr.read().decode() if child.stderr else status}")
    return wall, usage.ru_utime + usage.ru_stime


def first_page(env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) from starting `thinktank serve` until its home page answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "thinktank"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
                    if answer.status == 200:
                        wall = time.perf_counter() - started
                        break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("thinktank serve stopped before answering") from None
                time.sleep(0.02)
    finally:
        server.terminate()
        server.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server's CPU, counted once it has ended
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def report(name: str, runs: list[tuple[float, float]], baseline: float | None = None) -> float:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    beside = f"  ({wall / baseline:,.0f}x the baseline)" if baseline else ""
    print(f"{name:<34} {wall:7.3f} s wall  {cpu:7.3f} s CPU{beside}", flush=True)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f}; median of {args.runs} runs", flush=True)
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "THINKTANK_VAR": var, "SECRET_KEY": "benchmark", "DATABASE_URL": ""}
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        # Timed as an installed site runs: with the bytecode Python caches on the first import (a
        # shell that sets PYTHONDONTWRITEBYTECODE would time compiling every module instead).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        thinktank = str(BIN / "thinktank")
        commands = {
            "baseline: python -c pass": [sys.executable, "-c", "pass"],
            "thinktank --help": [thinktank, "--help"],
            "thinktank demo --no-serve": [thinktank, "demo", "--no-serve"],
        }
        base = None
        for name, command in commands.items():
            timed(command, env)  # the first run writes the bytecode cache and is not counted
            wall = report(name, [timed(command, env) for _ in range(args.runs)], base)
            base = base or wall
        env["DATABASE_URL"] = f"sqlite:///{Path(var) / 'demo.db'}"
        report("first page after thinktank serve", [first_page(env) for _ in range(args.runs)], base)


if __name__ == "__main__":
    main()
