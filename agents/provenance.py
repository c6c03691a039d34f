"""How a result was made: the command, the code, the packages, the machine, the date and the wall time.

Every command that writes a report (``report.md``, ``results.json``, training curves, match summaries)
starts a :class:`RunInfo` when it starts and stores :meth:`RunInfo.to_json` in its results under the key
``provenance``; reports show :func:`markdown` as a section "How to make this again". Recorded:

* ``command``: the command line as typed at the shell (``python -m benchmarks.elo runs/t``), rebuilt from
  the entry point's name and its arguments; ``environment``: the variables that change results or speed
  (``OMP_NUM_THREADS``, ``CUDA_VISIBLE_DEVICES``, ... when set); and ``cwd``, the folder it ran in
  (relative paths in the command are relative to it);
* ``git``: ``commit`` of the checkout the code was imported from and ``dirty`` (uncommitted changes to
  tracked files, or new files git does not ignore); both None outside a git checkout, where
  ``package_version`` still names the installed ``gamesearch``;
* ``versions``: Python, numpy, numba, torch, open_spiel, ray, onnxruntime, python-chess (read from the
  installed distributions, without importing them) and Stockfish (asked over UCI: ``id name``); None for
  what is not installed;
* ``machine``: OS, CPU model, logical cores (``cores``) and the cores this process may use
  (``usable_cores``), memory, GPUs (``nvidia-smi``, else torch when it is already imported) and the load
  average when the run started (a busy machine makes timings slower);
* ``started`` and ``finished`` (UTC, ISO 8601) and ``wall_seconds`` of this invocation (a resumed run
  records its last invocation; the results it reuses keep no separate record).

This module sits in ``agents/`` (not ``benchmarks/``) because ``python -m agents.play`` records it in its
summaries too, and nothing may import ``benchmarks``.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The checkout holding this package (its git state is the code's)."""
DISTRIBUTIONS = {
    "numpy": ("numpy",), "numba": ("numba",), "torch": ("torch",), "open_spiel": ("open_spiel",),
    "ray": ("ray",), "onnxruntime": ("onnxruntime", "onnxruntime-gpu"), "python-chess": ("chess", "python-chess"),
}
"""Reported name -> installed distribution names to try (python-chess is published as ``chess`` now)."""
SECTION_TITLE = "How to make this again"
ENVIRONMENT = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED",
               "RAY_ADDRESS")
"""Environment variables that change results or speed, recorded when set."""
TIMEOUT_S = 10.0
"""Longest wait for ``git``, ``nvidia-smi`` or Stockfish to answer."""


def _run(args: Sequence[str], input_text: str | None = None, cwd: Path | None = None) -> str | None:
    """stdout of a helper program, or None if it is missing, fails or hangs."""
    try:
        proc = subprocess.run(list(args), input=input_text, capture_output=True, text=True, timeout=TIMEOUT_S,
                              cwd=cwd, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(root: Path = REPO_ROOT) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the checkout at ``root``."""
    if shutil.which("git") is None or not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    commit = _run(["git", "rev-parse", "HEAD"], cwd=root)
    status = _run(["git", "status", "--porcelain"], cwd=root)
    return {"commit": commit.strip() if commit else None, "dirty": None if status is None else bool(status.strip())}


def _distribution_version(names: Sequence[str]) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def stockfish_version(path: str | None = None) -> str | None:
    """The ``id name`` Stockfish gives over UCI (``Stockfish 16.1``), or None when there is none."""
    from agents.core import AgentError
    from agents.stockfish import find_stockfish

    try:
        binary = find_stockfish(path)
    except AgentError:
        return None
    out = _run([binary], input_text="uci\nquit\n")
    for line in (out or "").splitlines():
        if line.startswith("id name "):
            return line[len("id name "):].strip()
    return None


def package_versions() -> dict[str, str | None]:
    """Python and the packages whose versions change results (None: not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    versions.update({name: _distribution_version(dists) for name, dists in DISTRIBUTIONS.items()})
    versions["stockfish"] = stockfish_version()
    return versions


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def gpus() -> list[str]:
    """Names (and memory) of the GPUs: ``nvidia-smi``, else torch if this process has imported it."""
    if shutil.which("nvidia-smi"):
        out = _run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"])
        if out:
            return [line.strip() for line in out.splitlines() if line.strip()]
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def machine() -> dict[str, Any]:
    """OS, CPU model, cores, memory, GPUs and the load average now."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"os": platform.platform(), "cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": usable,
            "memory_gib": _memory_gib(), "gpus": gpus(), "load_average": load}


def _utc(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(timespec="seconds")


@dataclass
class RunInfo:
    """What a run records about itself, taken when it starts; :meth:`to_json` adds the end and wall time."""

    command: list[str]
    """The command line, one word per item (``["python", "-m", "benchmarks.elo", "runs/t"]``)."""
    environment: dict[str, str]
    """The variables of :data:`ENVIRONMENT` that were set."""
    cwd: str
    git: dict[str, Any]
    package_version: str | None
    versions: dict[str, str | None]
    machine: dict[str, Any]
    started: float
    """Unix time at the start."""
    _clock: float = field(default_factory=time.perf_counter, repr=False)

    @classmethod
    def begin(cls, prog: str | None = None, argv: Sequence[str] | None = None) -> "RunInfo":
        """Start recording. ``prog`` is the entry point as typed (``"python -m benchmarks.sudoku budget"``)
        and ``argv`` its arguments; without ``prog`` the process's own command line (``sys.orig_argv``)."""
        started, clock = time.time(), time.perf_counter()  # before the look-ups below (git, Stockfish)
        if prog is None:
            command = list(getattr(sys, "orig_argv", sys.argv))
        else:
            command = [*prog.split(), *(sys.argv[1:] if argv is None else argv)]
        environment = {name: os.environ[name] for name in ENVIRONMENT if name in os.environ}
        return cls(command=[str(word) for word in command], environment=environment, cwd=os.getcwd(),
                   git=git_state(), package_version=_distribution_version(("gamesearch",)),
                   versions=package_versions(), machine=machine(), started=started, _clock=clock)

    @property
    def command_line(self) -> str:
        """The command as one shell line (quoted where needed)."""
        return shlex.join(self.command)

    def to_json(self) -> dict[str, Any]:
        """The record, with ``finished`` and ``wall_seconds`` taken now."""
        wall = time.perf_counter() - self._clock
        return {"command": self.command_line, "argv": self.command, "environment": self.environment,
                "cwd": self.cwd, "git": self.git,
                "package_version": self.package_version, "versions": self.versions, "machine": self.machine,
                "started": _utc(self.started), "finished": _utc(self.started + wall), "wall_seconds": round(wall, 3)}


def _format_load(load: Sequence[float] | None) -> str:
    return "unknown" if load is None else " / ".join(f"{x:.2f}" for x in load) + " (1 / 5 / 15 min)"


def shell_line(record: dict[str, Any]) -> str:
    """The command with the recorded environment variables in front (``OMP_NUM_THREADS=1 python -m ...``)."""
    env = record.get("environment") or {}
    return " ".join([*(f"{k}={shlex.quote(v)}" for k, v in env.items()), record["command"]])


def markdown(record: dict[str, Any], heading: str = "##") -> str:
    """The "How to make this again" section for a record of :meth:`RunInfo.to_json`."""
    git = record.get("git") or {}
    commit = git.get("commit")
    if commit is None:
        code = f"gamesearch {record.get('package_version') or '(version unknown)'}, not a git checkout"
    else:
        code = f"commit `{commit}`" + (" (with uncommitted changes)" if git.get("dirty") else " (clean)")
    versions = record.get("versions") or {}
    mach = record.get("machine") or {}
    gpu_names = ", ".join(mach.get("gpus") or []) or "none"
    lines = [
        f"{heading} {SECTION_TITLE}", "",
        f"From `{record.get('cwd')}` at {code}:", "",
        "```", shell_line(record), "```", "",
        "| | |", "|---|---|",
        f"| started (UTC) | {record.get('started')} |",
        f"| wall time | {record.get('wall_seconds', 0.0):.1f} s |",
        f"| machine | {mach.get('cpu')}, {mach.get('cores')} cores ({mach.get('usable_cores')} usable), "
        f"{mach.get('memory_gib')} GiB, {mach.get('os')} |",
        f"| GPU | {gpu_names} |",
        f"| load average at start | {_format_load(mach.get('load_average'))} |",
        "| versions | " + ", ".join(f"{k} {v if v is not None else '(none)'}" for k, v in versions.items()) + " |",
    ]
    return "\n".join(lines)
