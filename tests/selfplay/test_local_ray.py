"""A local Ray of ours does not outlive its command: the watchdog, the clean-up of leftovers at the next
start, and never a process of anyone else (selfplay/local_ray.py)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from selfplay import local_ray
from selfplay.local_ray import alive, end_leftovers, holders, start_time

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
HOLDER = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as Ray's agents do once their raylet is gone
handle = open(sys.argv[1], "w")
print("ready", flush=True)
time.sleep(300)
"""
"""A process that keeps a file open in a folder (like a Ray process its logs) and ignores SIGTERM."""

pytestmark = pytest.mark.skipif(not local_ray.HAS_PROC, reason="finding processes by their files needs /proc")


def hold(path: Path) -> subprocess.Popen[str]:
    """A holder of ``path`` in a session of its own (killing its parent does not reach it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def wait_until(condition, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def gone(proc: subprocess.Popen[str]) -> bool:
    return proc.poll() is not None


def dead_pid() -> tuple[int, int]:
    """(pid, start time) of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"])
    start = start_time(proc.pid)
    proc.wait()
    assert start is not None and not alive(proc.pid, start)
    return proc.pid, start


def test_leftovers_of_dead_drivers_are_ended_and_nothing_else(tmp_path: Path) -> None:
    base = tmp_path / "base"
    pid, start = dead_pid()
    dead = base / str(pid)
    dead.mkdir(parents=True)
    (dead / "owner.json").write_text(json.dumps({"pid": pid, "start": start}))
    live = base / str(os.getpid())
    live.mkdir()
    (live / "owner.json").write_text(json.dumps({"pid": os.getpid(), "start": start_time(os.getpid())}))
    unowned = base / "no-owner"
    procs = {"dead": hold(dead / "session" / "logs" / "agent.out"), "live": hold(live / "logs" / "raylet.out"),
             "unowned": hold(unowned / "x.log"), "elsewhere": hold(tmp_path / "ray" / "session" / "gcs.out")}
    try:
        assert holders(dead) == [procs["dead"].pid]
        ended = end_leftovers(base)
        assert ended == [procs["dead"].pid]
        assert wait_until(lambda: gone(procs["dead"]), 10), "SIGKILL after the grace period"
        assert not dead.exists()
        for name in ("live", "unowned", "elsewhere"):
            assert not gone(procs[name]), name
        assert live.is_dir() and unowned.is_dir()
        assert end_leftovers(base) == []  # nothing left to end
    finally:
        for proc in procs.values():
            if not gone(proc):
                proc.kill()
            proc.wait()


DRIVER = """
import subprocess, sys, time
from pathlib import Path
from selfplay.local_ray import new_session_folder, start_watchdog
folder = new_session_folder(Path(sys.argv[1]))
start_watchdog(folder)
(folder / "logs").mkdir()
holder = subprocess.Popen([sys.executable, "-c", sys.argv[2], str(folder / "logs" / "agent.out")],
                          stdout=subprocess.PIPE, text=True, start_new_session=True)
holder.stdout.readline()
print(folder, holder.pid, flush=True)
time.sleep(300)
"""


def test_the_watchdog_ends_what_a_killed_driver_leaves(tmp_path: Path) -> None:
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / "base"), HOLDER], cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, text=True)
    assert driver.stdout is not None
    holder, holder_start = -1, None
    try:
        folder_text, holder_text = driver.stdout.readline().split()
        folder, holder = Path(folder_text), int(holder_text)
        holder_start = start_time(holder)
        assert alive(holder, holder_start) and folder.is_dir()
        time.sleep(1.0)
        assert alive(holder, holder_start), "nothing is ended while the driver runs"
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        assert wait_until(lambda: not alive(holder, holder_start), 20)
        assert wait_until(lambda: not folder.exists(), 5)
    finally:
        if driver.poll() is None:
            driver.kill()  # its watchdog then ends the holder
            driver.wait()
        if holder_start is not None and alive(holder, holder_start):
            os.kill(holder, signal.SIGKILL)


RAY_DRIVER = """
import os, time
from selfplay.local_ray import base_folder, init_ray
ray = init_ray(num_cpus=1, log_to_driver=False)
one = ray.remote(lambda: 1)
print(ray.get(one.remote()), base_folder() / str(os.getpid()), flush=True)
time.sleep(300)
"""


def test_a_killed_command_leaves_no_ray_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    if local_ray.joins_a_cluster():
        pytest.skip("a `ray start` cluster runs on this machine: init_ray would join it")
    env = {k: v for k, v in ENV.items() if k != "RAY_ADDRESS"}
    driver = subprocess.Popen([sys.executable, "-c", RAY_DRIVER], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    assert driver.stdout is not None
    starts: dict[int, int | None] = {}
    try:
        line = driver.stdout.readline().split()
        assert line and line[0] == "1", "the local Ray ran a task"
        folder = Path(line[1])
        assert folder.parent == local_ray.base_folder() and (folder / "owner.json").is_file()
        ray_processes = holders(folder)
        assert len(ray_processes) >= 3  # gcs_server, raylet, agents, workers: all keep their logs there
        starts = {pid: start_time(pid) for pid in ray_processes}
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        assert wait_until(lambda: not any(alive(p, s) for p, s in starts.items()), 60), \
            [Path(f"/proc/{p}/cmdline").read_text() for p, s in starts.items() if alive(p, s)]
        assert wait_until(lambda: not folder.exists(), 10)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        for pid, start in starts.items():
            if alive(pid, start):
                os.kill(pid, signal.SIGKILL)
