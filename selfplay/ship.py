"""``python -m selfplay.ship RUN --out models/NAME [--checkpoints N|all|step,step,...] [--note TEXT]``:
publish a training run as a small folder that can live in git.

The shipped folder has the run's layout (``config.json``, ``metrics.jsonl``, ``checkpoints/000123.pt``),
so every tool that reads a run (``mcts:net=…``, ``benchmarks.scaling --run``) reads it too. Checkpoints
are rewritten without optimizer state (a third of the size; a shipped run is for playing and measuring,
``--resume`` needs the original). ``MODEL.md`` records where it came from: the command, the training
cost of each checkpoint (learner steps, games, minutes, FLOPs) and the note.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Sequence

from agents.flags import CliParser
from agents.nets.checkpoint import list_checkpoints, load_checkpoint, load_network, save_checkpoint
from games.cli import run_cli
from games.core import InputError
from games.registry import make_game


class ShipError(InputError):
    """A run folder or checkpoint selection that cannot be shipped."""


def select_checkpoints(paths: Sequence[Path], which: str) -> list[Path]:
    """``all``, ``N`` (N evenly spaced, always including the first and the last) or ``step,step,...``."""
    if not paths:
        raise ShipError("the run has no checkpoints")
    if which == "all":
        return list(paths)
    by_step = {int(p.stem): p for p in paths}
    if "," in which or not which.isdigit() or int(which) > len(paths):
        try:
            steps = [int(s) for s in which.split(",") if s.strip()]
        except ValueError:
            raise ShipError(f"--checkpoints must be all, a count, or steps like 150,900; got '{which}'") from None
        missing = [s for s in steps if s not in by_step]
        if missing:
            raise ShipError(f"no checkpoint at step(s) {missing} (have {sorted(by_step)})")
        return [by_step[s] for s in sorted(set(steps))]
    count = int(which)
    if count < 1:
        raise ShipError("--checkpoints count must be >= 1")
    if count == 1:
        return [paths[-1]]
    picks = sorted({round(i * (len(paths) - 1) / (count - 1)) for i in range(count)})
    return [paths[i] for i in picks]


def ship(run_dir: Path, out_dir: Path, which: str = "all", note: str = "") -> list[Path]:
    """Copy the run's config/metrics and the chosen checkpoints (weights only) to ``out_dir``."""
    chosen = select_checkpoints(list_checkpoints(run_dir), which)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ShipError(f"'{out_dir}' exists and is not empty")
    rows = []
    written = []
    for path in chosen:
        ckpt = load_checkpoint(path)
        model, _ = load_network(path, make_game(ckpt.game))
        written.append(save_checkpoint(out_dir / "checkpoints" / path.name, model, ckpt.game, ckpt.metadata))
        m = ckpt.metadata
        rows.append(f"| {path.name} | {m.learner_steps} | {m.selfplay_games} | {m.samples} | "
                    f"{m.wall_seconds / 60:.1f} | {m.compute_flops:.3g} |")
    for name in ("config.json", "metrics.jsonl"):
        if (run_dir / name).is_file():
            shutil.copyfile(run_dir / name, out_dir / name)
    config = json.loads((run_dir / "config.json").read_text()) if (run_dir / "config.json").is_file() else {}
    lines = [f"# {out_dir.name}", "", f"Shipped from `{run_dir}` by `python -m selfplay.ship`.", ""]
    if note:
        lines += [note, ""]
    if config.get("network"):
        lines += [f"Network: `{json.dumps(config['network'])}`", ""]
    lines += ["| checkpoint | learner steps | self-play games | positions | minutes | training FLOPs |",
              "|---|---|---|---|---|---|", *rows, ""]
    (out_dir / "MODEL.md").write_text("\n".join(lines))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    p = CliParser(prog="python -m selfplay.ship", description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="training run folder (with checkpoints/)")
    p.add_argument("--out", required=True, help="folder to create, e.g. models/connect_four")
    p.add_argument("--checkpoints", default="all", help="all, N evenly spaced, or steps like 150,900,3121")
    p.add_argument("--note", default="", help="text for MODEL.md: the command and machine that trained it")
    args = p.parse_args(argv)
    run_dir = Path(args.run)
    if not run_dir.is_dir():
        raise ShipError(f"run folder '{run_dir}' does not exist")
    written = ship(run_dir, Path(args.out), args.checkpoints, args.note)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
