"""What a resumable study has cost so far: one line per invocation in ``DIR/invocations.jsonl``.

A study runs for hours, stopped and resumed across sessions, so no single invocation knows its cost.
Each invocation appends one line when it ends, normally or not (start, wall seconds, commit, load at
start, workers, games before and after, and how it ended). The cost:

* **wall hours**: the invocations' wall seconds summed (what the study took on this machine);
* **core-hours**: each invocation's wall seconds times its game workers, summed. Every worker keeps one
  core busy with single-threaded games (engines and torch get one thread each), so this is the core time
  the study held, including measuring, fitting and the tail of each wave. (The games' own ``seconds``
  would not do: with ``--backend ray --slots N`` a worker interleaves N games, and each game's seconds
  run from its first move to its last.)

A machine with ``n`` cores runs ``n`` workers, so its wall time is projected as core-hours / ``n`` (games
are independent; the projection assumes the same speed per core and no cluster overhead).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

LEDGER_FILE = "invocations.jsonl"
PROJECTED_CORES = (16, 64)
"""Core counts the report projects the wall time to (a 16-core node, a small cluster)."""


def record_invocation(out_dir: Path, provenance: dict[str, Any], wall_seconds: float, workers: int,
                      games_before: int, games_after: int, ended: str = "finished") -> None:
    """Append this invocation's line to ``out_dir/invocations.jsonl`` (``ended``: finished, failed,
    interrupted)."""
    line = {"started": provenance.get("started"), "wall_seconds": round(wall_seconds, 1),
            "commit": (provenance.get("git") or {}).get("commit"), "command": provenance.get("command"),
            "load_average": (provenance.get("machine") or {}).get("load_average"), "workers": workers,
            "games_before": games_before, "games_after": games_after, "ended": ended}
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LEDGER_FILE, "a") as fh:
        fh.write(json.dumps(line) + "\n")


def read_invocations(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / LEDGER_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def study_cost(invocations: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Wall and core hours so far, the wall hours projected to :data:`PROJECTED_CORES`, and whether the
    ledger covers every game (``complete``: its first invocation started from no games)."""
    inv = list(invocations)
    core_hours = sum(i["wall_seconds"] * i["workers"] for i in inv) / 3600.0
    return {"invocations": len(inv), "wall_hours": sum(i["wall_seconds"] for i in inv) / 3600.0,
            "core_hours": core_hours, "complete": bool(inv) and inv[0]["games_before"] == 0,
            "projected_wall_hours": {str(n): core_hours / n for n in PROJECTED_CORES}}
