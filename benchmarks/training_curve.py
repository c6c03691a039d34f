"""Score against training time: checkpoints of one run, each played against fixed opponents.

``python -m benchmarks.training_curve RUN [--match "A vs B"]... [--games N] [--points K | --minutes M,...]``

Each ``--match`` is two agent specs separated by `` vs ``; ``{net}`` in a spec stands for a checkpoint's
path (``mcts:net={net},sims=200 vs mcts:sims=200,eval=rollout``). Every selected checkpoint plays every
match for ``--games`` games (colours alternate; games ``2k`` and ``2k + 1`` share their random opening),
through the resumable tournament runner: the games go to ``OUT/games.jsonl`` as they finish, and a
re-run plays only the missing ones.

Checkpoints are placed on the curve by their training wall-clock time (``wall_seconds`` in the
checkpoint's metadata). ``--minutes 5,10,30`` takes, for each time, the newest checkpoint written at or
before it; ``--points K`` (default 6) takes K checkpoints nearest to evenly spaced times, the last
checkpoint always included.

Writes ``OUT/curve.json`` (per checkpoint and match: minutes, step, games, wins/draws/losses, score and
its 95% interval over pairs of games), ``OUT/curve.md`` (a table) and ``OUT/curve.png`` (score against
training minutes, one line per match). OUT defaults to ``RUN/curve``. ``curve.json`` holds the run's
``provenance`` (:mod:`agents.provenance`) and ``curve.md`` ends with "How to make this again".
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from agents.flags import CliParser
from agents.nets.checkpoint import list_checkpoints, load_checkpoint
from agents.arena.stats import paired_mean_with_interval, score_of
from agents.arena.openings import default_opening_plies
from agents.arena.records import GameRecord
from agents.provenance import RunInfo, markdown as provenance_markdown
from benchmarks.report import atomic_write
from benchmarks.tournament import Pairing, run_schedule
from games.cli import run_cli
from games.core import InputError
from games.registry import make_game

NET = "{net}"
"""Placeholder for the checkpoint path in a match's specs."""
SEPARATOR = " vs "


class CurveError(InputError):
    """Bad arguments for a training curve."""


@dataclass(frozen=True)
class Match:
    """Two spec templates; ``{net}`` in either is replaced by a checkpoint's path."""

    a: str
    b: str

    @classmethod
    def parse(cls, text: str) -> "Match":
        parts = text.split(SEPARATOR)
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise CurveError(f"--match '{text}' must be two agent specs separated by '{SEPARATOR.strip()}'")
        a, b = (p.strip() for p in parts)
        if NET not in a and NET not in b:
            raise CurveError(f"--match '{text}' does not use {NET} (the checkpoint) in either spec")
        return cls(a, b)

    def specs(self, checkpoint: Path) -> tuple[str, str]:
        path = str(checkpoint)
        if "," in path or " " in path:
            raise CurveError(f"checkpoint path '{path}' holds a comma or space, which specs cannot carry")
        return self.a.replace(NET, path), self.b.replace(NET, path)

    @property
    def name(self) -> str:
        return f"{self.a}{SEPARATOR}{self.b}"


@dataclass(frozen=True)
class Point:
    """A checkpoint placed on the curve."""

    path: Path
    step: int
    minutes: float
    game: str


def default_matches() -> list[Match]:
    """Raw network against random, and the network's search against search without a network."""
    return [Match(f"net:{NET}", "random"), Match(f"mcts:net={NET},sims=200", "mcts:sims=200")]


def read_points(run: Path) -> list[Point]:
    """Every checkpoint of ``run`` with its learner step and training minutes, oldest first."""
    paths = list_checkpoints(run)
    if not paths:
        raise CurveError(f"no checkpoints in {run / 'checkpoints'}")
    points = []
    for path in paths:
        ckpt = load_checkpoint(path)
        points.append(Point(path, ckpt.metadata.learner_steps, ckpt.metadata.wall_seconds / 60.0, ckpt.game))
    return points


def select_points(points: Sequence[Point], count: int | None = None,
                  minutes: Sequence[float] | None = None) -> list[Point]:
    """The checkpoints of the curve (see module docstring), oldest first, without repeats."""
    if minutes:
        chosen = []
        for m in minutes:
            before = [p for p in points if p.minutes <= m + 1e-9]
            if not before:
                raise CurveError(f"no checkpoint was written within {m:g} training minutes "
                                 f"(the first is at {points[0].minutes:.2f})")
            chosen.append(before[-1])
    else:
        k = count if count is not None else 6
        if k < 1:
            raise CurveError("--points must be >= 1")
        last = points[-1].minutes
        targets = [last * (i + 1) / k for i in range(k)]
        chosen = [min(points, key=lambda p, t=t: abs(p.minutes - t)) for t in targets] + [points[-1]]
    unique = {p.path: p for p in chosen}
    return sorted(unique.values(), key=lambda p: p.minutes)


def score_rows(points: Sequence[Point], matches: Sequence[Match], records: Sequence[GameRecord],
               games: int) -> list[dict[str, Any]]:
    """One row per (checkpoint, match) from the records of the schedule, in schedule order."""
    rows = []
    i = 0
    for point in points:
        for match in matches:
            a, _ = match.specs(point.path)
            mine = records[i:i + games]
            i += games
            scores = [score_of(r.returns, r.specs.index(a)) for r in mine]
            mean, (low, high) = paired_mean_with_interval(scores)
            rows.append({"checkpoint": str(point.path), "step": point.step, "minutes": point.minutes,
                         "match": match.name, "games": len(scores),
                         "wins": sum(s == 1.0 for s in scores), "draws": sum(s == 0.5 for s in scores),
                         "losses": sum(s == 0.0 for s in scores), "score": mean,
                         "score_ci95": [max(0.0, low), min(1.0, high)]})
    return rows


def write_table(rows: Sequence[dict[str, Any]], matches: Sequence[Match], path: Path, title: str,
                provenance: dict[str, Any]) -> None:
    """``curve.md``: a table per match, then the "How to make this again" section of ``provenance``."""
    lines = [f"# {title}", "", "Score of the first spec (95% interval over pairs of games); "
             f"`{NET}` = the checkpoint.", ""]
    for match in matches:
        lines += [f"## `{match.a}` vs `{match.b}`", "", "| minutes | step | games | W / D / L | score | 95% |",
                  "|---|---|---|---|---|---|"]
        for r in rows:
            if r["match"] == match.name:
                lo, hi = r["score_ci95"]
                lines.append(f"| {r['minutes']:.1f} | {r['step']} | {r['games']} | {r['wins']} / {r['draws']} / "
                             f"{r['losses']} | {r['score']:.3f} | [{lo:.3f}, {hi:.3f}] |")
        lines.append("")
    lines += [provenance_markdown(provenance), ""]
    atomic_write(path, "\n".join(lines).encode())


def plot(rows: Sequence[dict[str, Any]], matches: Sequence[Match], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for match in matches:
        mine = [r for r in rows if r["match"] == match.name]
        x = [r["minutes"] for r in mine]
        y = [r["score"] for r in mine]
        err = [[r["score"] - r["score_ci95"][0] for r in mine], [r["score_ci95"][1] - r["score"] for r in mine]]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=match.name.replace(NET, "net"))
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training wall-clock minutes")
    ax.set_ylabel("score of the first spec")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _parse_minutes(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise CurveError(f"--minutes '{text}' must be comma-separated numbers") from None
    if not values or any(v < 0 for v in values):
        raise CurveError(f"--minutes '{text}' must list at least one time >= 0")
    return values


def build_parser() -> argparse.ArgumentParser:
    p = CliParser(prog="python -m benchmarks.training_curve",
                  description="Score against training time: a run's checkpoints played against fixed opponents.")
    p.add_argument("run", help="run folder with checkpoints/ (e.g. runs/c4)")
    p.add_argument("--match", action="append", default=None, metavar='"A vs B"',
                   help="two agent specs separated by ' vs '; {net} is the checkpoint (repeatable; default: "
                        "'net:{net} vs random' and 'mcts:net={net},sims=200 vs mcts:sims=200')")
    p.add_argument("--games", type=int, default=100, help="games per checkpoint and match (default 100)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--points", type=int, default=None, help="checkpoints on the curve (default 6)")
    group.add_argument("--minutes", default=None, help="training minutes to take checkpoints at, e.g. 5,10,30")
    p.add_argument("--workers", type=int, default=2, help="game processes (default 2)")
    p.add_argument("--seed", type=int, default=0, help="seed of openings and agents (default 0)")
    p.add_argument("--openings", type=int, default=None,
                   help="random plies before each pair of games (default as agents.play: 4 chess, 2 others)")
    p.add_argument("--out", default=None, help="output folder (default RUN/curve)")
    p.add_argument("--json", action="store_true", help="print curve.json's rows as one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    if args.games < 1:
        raise CurveError("--games must be >= 1")
    if args.workers < 1:
        raise CurveError("--workers must be >= 1")
    run = Path(args.run)
    if not run.is_dir():
        raise CurveError(f"run folder {run} does not exist")
    points = select_points(read_points(run), args.points, _parse_minutes(args.minutes))
    game_name = points[-1].game
    matches = [Match.parse(t) for t in args.match] if args.match else default_matches()
    openings = args.openings if args.openings is not None else default_opening_plies(make_game(game_name))
    pairings = [Pairing(*m.specs(p.path), args.games) for p in points for m in matches]
    out = Path(args.out) if args.out else run / "curve"
    result = run_schedule(game_name, pairings, out, workers=args.workers, seed=args.seed, opening_plies=openings,
                          progress=not args.quiet)
    rows = score_rows(points, matches, result.records, args.games)
    title = f"{game_name}: {run.name}, score against training time"
    summary = {"run": str(run), "game": game_name, "games_per_point": args.games, "openings": openings,
               "seed": args.seed, "matches": [m.name for m in matches], "rows": rows,
               "provenance": provenance.to_json()}
    atomic_write(out / "curve.json", (json.dumps(summary, indent=2) + "\n").encode())
    write_table(rows, matches, out / "curve.md", title, summary["provenance"])
    plot(rows, matches, out / "curve.png", title)
    if args.json:
        print(json.dumps(summary))
    else:
        sys.stdout.write((out / "curve.md").read_text())
        print(f"\n{result.played} games played, {result.reused} reused; wrote {out}/curve.json, curve.md, curve.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
