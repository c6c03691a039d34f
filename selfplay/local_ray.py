"""A local Ray that does not outlive the command that started it.

``ray.init()`` without an address starts a local Ray whose ``gcs_server`` and ``raylet`` die with the
driver, but when the driver is killed (``kill -9``, out of memory) the raylet's ``ray::DashboardAgent``
and ``ray::RuntimeEnvAgent`` stay behind, even with the dashboard off (measured with Ray 2.60). So a
command of ours starts its local Ray through :func:`init_ray`:

* **Which Ray**: with ``RAY_ADDRESS`` set (``ray job submit`` sets it) or a cluster started by ``ray start``
  on this machine, ``ray.init()`` joins that cluster, as before; nothing below applies to it.
* **Its own folder**: otherwise the local Ray starts with the dashboard off in a session folder of ours,
  ``<tmp>/gsray-<uid>/<driver pid>/``, holding ``owner.json`` (the driver's pid and start time). Every
  process of that Ray keeps files open there (its logs), which is how it is found again — never by name,
  and never ``ray stop``, which would end other Ray instances on the machine (tests, other runs).
* **A watchdog**: a small process in a session of its own (``python -m selfplay.local_ray watch``) waits
  for the driver to end and then ends every process holding files in the folder (SIGTERM, then SIGKILL
  after :data:`GRACE_S`) and removes the folder. A normal exit also shuts Ray down itself (``atexit``).
* **The next start**: if the watchdog was killed too, :func:`end_leftovers` (run by every
  :func:`init_ray`) ends the processes of folders whose driver is gone, and removes those folders.

Finding processes by their open files reads ``/proc`` (Linux); elsewhere only the ``atexit`` shutdown
applies.
"""
from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

log = logging.getLogger(__name__)

OWNER_FILE = "owner.json"
"""In a session folder: ``{"pid": ..., "start": ...}`` of the driver that owns it."""
GRACE_S = 3.0
"""Seconds between SIGTERM and SIGKILL (Ray's agents ignore SIGTERM once their raylet is gone)."""
POLL_S = 0.5
"""How often the watchdog looks at the driver."""
HAS_PROC = Path("/proc/self/stat").is_file()
"""Processes can be inspected (Linux); elsewhere no watchdog and no clean-up of leftovers."""


def base_folder() -> Path:
    """``<tmp>/gsray-<uid>``: the parent of this user's session folders (short: Ray's socket paths must stay
    under 108 characters)."""
    return Path(tempfile.gettempdir()) / f"gsray-{os.getuid()}"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of process ``pid`` from ``/proc/PID/stat``, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[19])


def start_time(pid: int) -> int | None:
    """The start time of process ``pid`` (``/proc/PID/stat`` field 22), or None if there is no such process
    (or no ``/proc``)."""
    stat = _stat(pid)
    return None if stat is None else stat[1]


def alive(pid: int, start: int | None) -> bool:
    """Whether the process ``pid`` that started at ``start`` still runs (a reused pid or a zombie does not
    count)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z" and (start is None or stat[1] == start)


def holders(folder: Path) -> list[int]:
    """Processes (other than this one) with a file open under ``folder`` or running in it."""
    root = str(folder.resolve())
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        if any(_inside(link, root) for link in _links(entry)):
            found.append(int(entry.name))
    return found


def _links(proc: Path) -> Iterator[str]:
    try:
        yield os.readlink(proc / "cwd")
    except OSError:
        pass
    try:
        fds = list((proc / "fd").iterdir())
    except OSError:
        return
    for fd in fds:
        try:
            yield os.readlink(fd)
        except OSError:
            continue


def _inside(path: str, root: str) -> bool:
    path = path.removesuffix(" (deleted)")
    return path == root or path.startswith(root + os.sep)


def end_processes(pids: Sequence[int], grace_s: float = GRACE_S) -> None:
    """SIGTERM each process, then SIGKILL those still there after ``grace_s`` seconds."""
    starts = {pid: start_time(pid) for pid in pids}
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(alive(p, s) for p, s in starts.items()):
        time.sleep(0.1)
    for pid, start in starts.items():
        if alive(pid, start):
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def read_owner(folder: Path) -> dict[str, Any] | None:
    """The folder's ``owner.json``, or None if it has none (then it is not ours to touch)."""
    try:
        data = json.loads((folder / OWNER_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def end_session(folder: Path) -> list[int]:
    """End every process holding files in ``folder`` and remove it; returns the pids ended."""
    pids = holders(folder)
    if pids:
        end_processes(pids)
    shutil.rmtree(folder, ignore_errors=True)
    return pids


def end_leftovers(base: Path | None = None) -> list[int]:
    """End the local Rays of earlier commands of ours whose driver is gone (see the module docstring);
    folders of live drivers and folders without ``owner.json`` are left alone. Returns the pids ended."""
    base = base_folder() if base is None else base
    ended: list[int] = []
    if not HAS_PROC or not base.is_dir():
        return ended
    for folder in sorted(base.iterdir()):
        owner = read_owner(folder) if folder.is_dir() else None
        if owner is None or alive(owner["pid"], owner.get("start")):
            continue
        pids = end_session(folder)
        if pids:
            log.warning("ended %d process(es) left by an earlier local Ray (%s)", len(pids), folder)
        ended += pids
    return ended


def new_session_folder(base: Path | None = None) -> Path:
    """A session folder owned by this process: ``BASE/<pid>`` with ``owner.json``."""
    base = base_folder() if base is None else base
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = base / str(os.getpid())
    if folder.exists():  # a pid of a dead driver, reused: end_leftovers has ended its processes
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    owner = {"pid": os.getpid(), "start": start_time(os.getpid()), "argv": list(getattr(sys, "orig_argv", sys.argv))}
    (folder / OWNER_FILE).write_text(json.dumps(owner) + "\n")
    return folder


def start_watchdog(folder: Path) -> subprocess.Popen[bytes]:
    """The watchdog process for this driver and ``folder`` (its own session: a Ctrl-C or a kill of our
    process group does not reach it)."""
    return subprocess.Popen([sys.executable, "-m", "selfplay.local_ray", "watch", "--pid", str(os.getpid()),
                             "--folder", str(folder)], start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
                                str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")]))})


def watch(pid: int, folder: Path, poll_s: float = POLL_S) -> None:
    """Wait for ``pid`` (the driver that owns ``folder``) to end, then end its Ray and remove the folder."""
    owner = read_owner(folder)
    start = owner.get("start") if owner and owner["pid"] == pid else start_time(pid)
    if start is None:  # no such driver (or no /proc): nothing is known, nothing is touched
        return
    while alive(pid, start):
        time.sleep(poll_s)
    end_session(folder)


def joins_a_cluster() -> bool:
    """Whether ``ray.init()`` would join a running cluster: ``RAY_ADDRESS`` is set (``ray job submit``), or
    ``ray start`` left its address in Ray's default temp folder."""
    if os.environ.get("RAY_ADDRESS"):
        return True
    from ray._private.services import find_bootstrap_address

    return find_bootstrap_address(None) is not None


def init_ray(**kwargs: Any) -> Any:
    """``ray``, initialised: the cluster when there is one to join, else a local Ray of our own that does
    not outlive this process (see the module docstring). ``kwargs`` go to ``ray.init``; ``address="local"``
    asks for a local Ray of our own even where a cluster could be joined."""
    import ray

    if ray.is_initialized():
        return ray
    if kwargs.get("address") == "local":
        kwargs.pop("address")
    elif kwargs.get("address") is not None or joins_a_cluster():
        ray.init(**kwargs)
        return ray
    end_leftovers()
    folder = new_session_folder()
    kwargs.setdefault("include_dashboard", False)
    ray.init(_temp_dir=str(folder), **kwargs)
    if HAS_PROC:
        start_watchdog(folder)

    def shutdown() -> None:
        ray.shutdown()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(shutdown)
    return ray


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m selfplay.local_ray",
        description="The watchdog of a local Ray started by one of our commands (started by selfplay.local_ray."
                    "init_ray, not by hand): waits for the driver to end, then ends every process holding "
                    "files in the session folder and removes it.")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("watch", help="wait for --pid to end, then end the Ray of --folder",
                       description="Wait for the driver --pid to end, then end the processes of its Ray session "
                                   "folder --folder and remove the folder.")
    w.add_argument("--pid", type=int, required=True, help="the driver process")
    w.add_argument("--folder", type=Path, required=True, help="the driver's session folder (holds owner.json)")
    args = parser.parse_args(argv)
    watch(args.pid, args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
