"""The scaling study's grid (checkpoints x search budgets), its anchors, and the game schedule.

A **cell** is one checkpoint at one search budget, played as ``mcts:net=CKPT,sims=S`` (``S = 0`` means
the raw network, ``net:CKPT``). **Anchors** are fixed agents in increasing strength, a ladder: some have a
fixed rating (``random`` = 0, ``stockfish:elo=1350`` = 1350, ...), the others are rated with everything
else. Every cell is rated together with the anchors in one Bradley–Terry fit (:mod:`benchmarks.elo`).

The schedule links each cell only to what tells most about it:

* **grid edges**: (checkpoint i, budget j) plays (i, j+1) — the next budget, usually 2x — and
  (i+1, j) — the next checkpoint at the same budget; neighbours are close in strength, so each game
  carries near the maximum information ``p (1 - p) = 1/4``;
* **ladder edges**: consecutive anchors play each other (``LADDER_FACTOR`` x the games: they are cheap
  and every interval, being relative to the fixed anchors, rests on them), except two fixed anchors;
* **anchor links**: each cell plays the anchor nearest to it in strength. Strength is not known before
  playing, so a pilot wave (grid + ladder + the four corners of the grid linked to the ends of the
  ladder) is fitted first, and the nearest anchors are chosen from that fit (and remembered in
  ``plan.json``, so that a re-run resumes the same schedule).

Pairs, for ``C`` checkpoints x ``B`` budgets and ``L`` anchors:
``C (B - 1) + (C - 1) B`` grid edges + ``C B`` anchor links + at most ``L - 1`` ladder edges. Top-up
waves (:mod:`benchmarks.scaling.design`) may also add :func:`neighbour_pairs`: each cell with its two
nearest rungs, and rungs adjacent in fitted rating.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from agents.nets.checkpoint import list_checkpoints, load_checkpoint
from agents.core import AgentSpecError, parse_options, parse_spec
from agents.registry import agent_kind
from games.core import InputError

LADDER_FACTOR = 8
"""Ladder edges get this many times the games of a grid edge (rollout games cost ~1% of a network cell's)."""

DEFAULT_ANCHORS: dict[str, tuple[str, ...]] = {
    "connect_four": ("random=0", "mcts:sims=4,eval=rollout", "mcts:sims=16,eval=rollout",
                     "mcts:sims=64,eval=rollout", "mcts:sims=256,eval=rollout", "mcts:sims=1024,eval=rollout"),
    "chess": ("random", "mcts:eval=material,sims=16", "mcts:eval=material,sims=64",
              "uci:cmd=/usr/games/ethereal-chess,depth=3", "uci:cmd=/usr/games/ethereal-chess,depth=4",
              "mcts:eval=material,sims=1024", "stockfish:elo=1350,movetime=0.1",
              "stockfish:elo=1500,movetime=0.1", "uci:cmd=/usr/games/ethereal-chess,depth=7",
              "stockfish:elo=1800,movetime=0.1", "stockfish:elo=2200,movetime=0.1"),
}
"""Ladders by game, weakest first (as far as known: the order only decides which rungs play each other).

Chess: three families besides ``random`` — material MCTS, Ethereal (a second Debian UCI engine) at fixed
depths, and Stockfish at ``UCI_Elo`` 1350..2200, fixed at those ratings. Rungs sit a few hundred Elo apart
from random up to the top cells, because every cell's interval is relative to the Stockfish rungs and is
only as narrow as the chain of games that reaches them. Stockfish calibrates ``UCI_Elo`` at 60 s + 0.6 s a
game (anchored to CCRL 40/4); the study plays it at 0.1 s a move (short enough for thousands of games;
the report states both). Not at a fixed depth: Stockfish 15.1 picks its handicapped move when iterative
deepening completes depth 1 + int(level), but a depth-limited search lacks the hash entries of the
previous move's deeper search, and measured so it is far weaker (``UCI_Elo`` 1800 at depth 5 scored
11 / 4 / 85 against 1800 at 0.1 s a move, about -330 Elo). ``random`` is fixed at 0 where no Stockfish
is present."""

DEFAULT_OPENING_PLIES = {"connect_four": 4, "chess": 6}
"""Random opening moves per game, so that deterministic agents do not replay one game over and over."""


class ScalingInputError(InputError):
    """Bad input to the scaling study (run folder, checkpoints, budgets, anchors)."""


@dataclass(frozen=True)
class CheckpointInfo:
    """One checkpoint of the run and how much training made it."""

    path: str
    step: int
    learner_steps: int
    selfplay_games: int
    samples: int
    wall_seconds: float
    compute_flops: float
    """Training compute behind the weights, parents' included (``--init``: self-play from a distilled net)."""
    label: str = ""
    """Name in plots and tables: the step, or ``run/step`` when the study takes checkpoints of several runs."""


@dataclass(frozen=True)
class Cell:
    """One grid cell: checkpoint index ``ci`` (into the study's checkpoints) at budget index ``si``."""

    ci: int
    si: int
    step: int
    sims: int
    spec: str


@dataclass(frozen=True)
class Anchor:
    """One rung of the ladder: its spec and, if fixed, its rating."""

    spec: str
    elo: float | None


@dataclass(frozen=True)
class Grid:
    """Checkpoints x budgets, and the anchor ladder (weakest first)."""

    checkpoints: tuple[CheckpointInfo, ...]
    sims: tuple[int, ...]
    anchors: tuple[Anchor, ...]

    @property
    def cells(self) -> list[Cell]:
        return [Cell(ci, si, ck.step, s, cell_spec(ck.path, s))
                for ci, ck in enumerate(self.checkpoints) for si, s in enumerate(self.sims)]

    def cell(self, ci: int, si: int) -> Cell:
        return self.cells[ci * len(self.sims) + si]

    @property
    def fixed(self) -> dict[str, float]:
        """Anchors with a fixed rating."""
        return {a.spec: a.elo for a in self.anchors if a.elo is not None}


def cell_spec(checkpoint: str, sims: int) -> str:
    """``mcts:net=CKPT,sims=S``, or ``net:CKPT`` for ``sims == 0``."""
    return f"net:{checkpoint}" if sims == 0 else f"mcts:net={checkpoint},sims={sims}"


def parse_sims(text: str) -> tuple[int, ...]:
    """``"1,2,4,8"`` -> (1, 2, 4, 8): distinct non-negative integers, sorted."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ScalingInputError(f"--sims must be a comma-separated list of integers; got '{text}'") from None
    if not values or any(v < 0 for v in values) or len(set(values)) != len(values):
        raise ScalingInputError(f"--sims needs distinct non-negative budgets; got '{text}'")
    return tuple(sorted(values))


def select_checkpoints(run_dir: Path, which: str) -> list[Path]:
    """``all``, ``N`` (evenly spaced, first and last included) or ``step,step,...``."""
    if not run_dir.is_dir():
        raise ScalingInputError(f"run folder '{run_dir}' does not exist")
    found = list_checkpoints(run_dir)
    if not found:
        raise ScalingInputError(f"run folder '{run_dir}' has no checkpoints (expected {run_dir}/checkpoints/*.pt)")
    if which == "all":
        return found
    by_step = {int(p.stem): p for p in found}
    parts = [w.strip() for w in which.split(",") if w.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ScalingInputError(f"--checkpoints must be all, N or step,step,...; got '{which}'")
    if len(parts) == 1 and int(parts[0]) not in by_step:
        n = int(parts[0])
        if n < 1:
            raise ScalingInputError("--checkpoints N needs N >= 1")
        index = np.unique(np.round(np.linspace(0, len(found) - 1, min(n, len(found)))).astype(int))
        return [found[i] for i in index]
    missing = [p for p in parts if int(p) not in by_step]
    if missing:
        raise ScalingInputError(f"no checkpoint at step(s) {', '.join(missing)} in {run_dir} "
                                f"(have {', '.join(str(s) for s in sorted(by_step))})")
    return [by_step[s] for s in sorted({int(p) for p in parts})]


def checkpoint_info(path: Path, game_name: str, label: str = "") -> CheckpointInfo:
    """Training metadata of one checkpoint; refuses another game's network."""
    ckpt = load_checkpoint(path)
    if ckpt.game != game_name:
        raise ScalingInputError(f"checkpoint '{path}' is a {ckpt.game} network, not {game_name}")
    if "," in str(path):
        raise ScalingInputError(f"checkpoint path '{path}' contains a comma, which agent specs cannot hold")
    m = ckpt.metadata
    return CheckpointInfo(path=str(path), step=int(path.stem), learner_steps=m.learner_steps,
                          selfplay_games=m.selfplay_games, samples=m.samples, wall_seconds=m.wall_seconds,
                          compute_flops=m.total_compute_flops, label=label or str(int(path.stem)))


def study_checkpoints(run: Path, which: str, also: Sequence[str], game_name: str) -> tuple[CheckpointInfo, ...]:
    """The study's checkpoints: ``which`` of ``run`` and, for each ``RUN[:SELECTION]`` of ``also``, that
    selection (default: all) of another run (e.g. self-play started from ``run``'s last checkpoint);
    ordered by training compute. With several runs the labels name the run."""
    groups = [(run, which)]
    for item in also:
        folder, _, selection = item.partition(":")
        groups.append((Path(folder), selection or "all"))
    several = len(groups) > 1
    infos = [checkpoint_info(p, game_name, f"{folder.name}/{int(p.stem)}" if several else "")
             for folder, selection in groups for p in select_checkpoints(folder, selection)]
    if len({i.path for i in infos}) != len(infos):
        raise ScalingInputError("a checkpoint is selected twice")
    return tuple(sorted(infos, key=lambda i: (i.compute_flops, i.label)))


def _valid_spec(text: str) -> bool:
    try:
        spec = parse_spec(text)
        kind = agent_kind(spec.name)
        parse_options(spec, kind.options, kind.positional)
    except (AgentSpecError, InputError, ValueError, TypeError):
        return False
    return True


def parse_anchor(text: str) -> Anchor:
    """``SPEC`` (rated with the rest) or ``SPEC=ELO`` (fixed); ``stockfish:elo=N`` alone is fixed at N.

    ``SPEC=ELO`` is recognised only when ``SPEC`` is a complete valid spec, so ``mcts:sims=16`` is a spec,
    not ``mcts:sims`` fixed at 16.
    """
    text = text.strip()
    head, sep, tail = text.rpartition("=")
    if sep and head:
        try:
            value = float(tail)
        except ValueError:
            value = None
        if value is not None and _valid_spec(head):
            return Anchor(head, value)
    if not _valid_spec(text):
        raise ScalingInputError(f"anchor '{text}' is not a valid agent spec (SPEC or SPEC=ELO)")
    spec = parse_spec(text)
    if spec.name == "stockfish" and spec.params.get("elo", "").isdigit():
        return Anchor(text, float(spec.params["elo"]))
    return Anchor(text, None)


def parse_anchors(items: Sequence[str]) -> tuple[Anchor, ...]:
    """Anchors from ``;``-separated lists (repeatable option), weakest first; at least one fixed."""
    anchors = tuple(parse_anchor(t) for item in items for t in item.split(";") if t.strip())
    if not anchors:
        raise ScalingInputError("no anchors given")
    if len({a.spec for a in anchors}) != len(anchors):
        raise ScalingInputError("an anchor is listed twice")
    if all(a.elo is None for a in anchors):
        raise ScalingInputError("at least one anchor needs a fixed rating (SPEC=ELO, e.g. random=0)")
    return anchors


def default_anchors(game_name: str) -> tuple[Anchor, ...]:
    return parse_anchors([";".join(DEFAULT_ANCHORS.get(game_name, ("random=0",)))])


@dataclass(frozen=True)
class Plan:
    """Pairs to play and their final game counts. ``links`` maps a cell spec to its anchor spec."""

    pairs: dict[tuple[str, str], int]
    links: dict[str, str]


def grid_edges(grid: Grid) -> list[tuple[str, str]]:
    """Next budget on the same checkpoint, next checkpoint at the same budget."""
    edges = []
    for c in grid.cells:
        if c.si + 1 < len(grid.sims):
            edges.append((c.spec, grid.cell(c.ci, c.si + 1).spec))
        if c.ci + 1 < len(grid.checkpoints):
            edges.append((c.spec, grid.cell(c.ci + 1, c.si).spec))
    return edges


def ladder_edges(grid: Grid) -> list[tuple[str, str]]:
    """Consecutive rungs, except two fixed ones (their games cannot move any rating; they only inform the
    first-move advantage and test whether the fixed ratings agree)."""
    return [(a.spec, b.spec) for a, b in zip(grid.anchors, grid.anchors[1:]) if a.elo is None or b.elo is None]


def pilot_links(grid: Grid) -> dict[str, str]:
    """Before any fit: the weak corners play the bottom rung, the strong corner the top rung."""
    low, high = grid.anchors[0].spec, grid.anchors[-1].spec
    last_c, last_s = len(grid.checkpoints) - 1, len(grid.sims) - 1
    return {grid.cell(0, 0).spec: low, grid.cell(last_c, 0).spec: low, grid.cell(0, last_s).spec: low,
            grid.cell(last_c, last_s).spec: high}


def nearest_links(grid: Grid, elo: Mapping[str, float]) -> dict[str, str]:
    """Each cell's anchor nearest in (fitted) rating."""
    rungs = [(a.spec, elo[a.spec]) for a in grid.anchors if a.spec in elo]
    links = {}
    for c in grid.cells:
        if c.spec in elo:
            links[c.spec] = min(rungs, key=lambda r: abs(r[1] - elo[c.spec]))[0]
    return links


def neighbour_pairs(grid: Grid, elo: Mapping[str, float], k: int = 2) -> list[tuple[str, str]]:
    """Pairs a top-up wave may add beyond the plan: each cell with its ``k`` anchors nearest in (fitted)
    rating, and rungs adjacent in fitted rating (not two fixed ones). A misordered ladder or a cell between
    two rungs then still gets its most informative games."""
    rungs = sorted((a for a in grid.anchors if a.spec in elo), key=lambda a: elo[a.spec])
    pairs = [(a.spec, b.spec) for a, b in zip(rungs, rungs[1:]) if a.elo is None or b.elo is None]
    for c in grid.cells:
        if c.spec in elo:
            near = sorted(rungs, key=lambda a: abs(elo[a.spec] - elo[c.spec]))[:k]
            pairs.extend((c.spec, a.spec) for a in near)
    return pairs


def make_plan(grid: Grid, games_per_pair: int, links: Mapping[str, str]) -> Plan:
    """Every pair with its final game count (even, so each side plays each colour equally)."""
    n = even(games_per_pair)
    pairs: dict[tuple[str, str], int] = {}
    for e in grid_edges(grid):
        pairs[e] = n
    for e in ladder_edges(grid):
        pairs[e] = LADDER_FACTOR * n
    for cell, anchor in links.items():
        pairs[(cell, anchor)] = max(pairs.get((cell, anchor), 0), n)
    return Plan(pairs=pairs, links=dict(links))


def even(n: float) -> int:
    """The even integer at or above ``n`` (at least 2)."""
    return max(2, 2 * math.ceil(n / 2))


def wave_targets(final: int, waves: int, wave: int) -> int:
    """Games a pair should have after ``wave`` (1-based) of ``waves``: an even share of ``final``."""
    return min(final, even(final * wave / waves))


def connected_to_fixed(grid: Grid, pairs: Sequence[tuple[str, str]]) -> set[str]:
    """Players linked by the pairs to an anchor with a fixed rating."""
    adjacent: dict[str, set[str]] = {}
    for a, b in pairs:
        adjacent.setdefault(a, set()).add(b)
        adjacent.setdefault(b, set()).add(a)
    seen = set(grid.fixed)
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        for nxt in adjacent.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
