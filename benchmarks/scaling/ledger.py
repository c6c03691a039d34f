"""What a resumable study has cost so far: one line per invocation, and CPU-hours from the games.

A study runs for hours, stopped and resumed across sessions, so no single invocation knows its cost.
Each invocation appends one line to ``DIR/invocations.jsonl`` (start, wall seconds, commit, load at start,
workers, games before and after). The cost then has two parts:

* **wall hours**: the invocations' wall seconds summed (what the study took on this machine);
* **CPU-hours**: the ``seconds`` of every game record summed. Each game runs in one single-threaded
  process (engines get one thread, torch one thread), so this is the core time the games used;
  measuring overhead and fitting are left out.

A machine with ``n`` cores plays ``n`` games at once, so its wall time is projected as CPU-hours / ``n``
(games are independent; the projection assumes the same speed per core and no cluster overhead).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

LEDGER_FILE = "invocations.jsonl"
PROJECTED_CORES = (16, 64)
"""Core counts the report projects the wall time to (a 16-core node, a small cluster)."""


def record_invocation(out_dir: Path, provenance: dict[str, Any], wall_seconds: float, workers: int,
                      games_before: int, games_after: int) -> None:
    """Append this invocation's line to ``out_dir/invocations.jsonl``."""
    line = {"started": provenance.get("started"), "wall_seconds": round(wall_seconds, 1),
            "commit": (provenance.get("git") or {}).get("commit"), "command": provenance.get("command"),
            "load_average": (provenance.get("machine") or {}).get("load_average"), "workers": workers,
            "games_before": games_before, "games_after": games_after}
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LEDGER_FILE, "a") as fh:
        fh.write(json.dumps(line) + "\n")


def read_invocations(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / LEDGER_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def study_cost(invocations: Iterable[dict[str, Any]], game_seconds: Iterable[float]) -> dict[str, Any]:
    """Wall and CPU hours so far, and the wall hours projected to :data:`PROJECTED_CORES`."""
    inv = list(invocations)
    cpu_hours = sum(game_seconds) / 3600.0
    return {"invocations": len(inv), "wall_hours": sum(i["wall_seconds"] for i in inv) / 3600.0,
            "cpu_hours": cpu_hours, "projected_wall_hours": {str(n): cpu_hours / n for n in PROJECTED_CORES}}
