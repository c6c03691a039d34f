"""``python -m benchmarks.scaling GAME --run RUN --sims 1,2,4,... --out DIR``: search versus training, measured.

Every cell of checkpoints x search budgets (``mcts:net=CKPT,sims=S``; ``S = 0`` is the raw network) is
rated together with a ladder of anchors in one Bradley–Terry fit, and the report shows Elo against
search, Elo against training compute, the iso-Elo frontier with the fitted exchange rate ("10x search
buys what k x training buys", bootstrap interval) and the measured compute per move
(:mod:`benchmarks.scaling.report`). Schedule: :mod:`benchmarks.scaling.grid`; games are played by
:func:`benchmarks.tournament.play_schedule` into ``DIR/games.jsonl`` and a re-run resumes.

Default budget, sized for the done-when (connect four, a shipped run of ~6 checkpoints, <= 60 minutes on
2 cores, 95% intervals <= ±50 Elo per cell), with the arithmetic:

* Information: a game at expected score ``p`` carries ``K^2 p (1 - p)`` per Elo^2 (``K = ln 10 / 400``),
  8.3e-6 at ``p = 1/2``; ±50 (standard error 25.5) against a *known* player takes
  ``1 / (650 x 8.3e-6) = 185`` games. But intervals are relative to ``random`` = 0 and the cells sit
  500-1500 Elo above it, so every cell also inherits the error of the ladder below it: a chain of ``m``
  rungs of gap ``g`` with ``n`` games each adds ``m / (n K^2 p q)``; for 1,500 Elo the cheapest chain is
  ~4-5 rungs of 300-375 Elo (``p q`` ~ 0.1) and needs ~8,000 ladder games in all. Ladder games are
  rollout MCTS (~0.1-7 ms a move, measured) — ~1% of a network cell's cost — so they are cheap.
* Cost, measured on this machine (``runs/c4-main``, one torch thread): per move 0.6 ms raw net,
  3.5 / 8.6 / 25 / 78 / 270 ms at 1 / 4 / 16 / 64 / 256 simulations (~1.5 ms per network
  evaluation); a game is ~21 plies. Per game of every pair once (6 checkpoints x budgets
  0,1,4,16,64,256): grid-budget edges 45 s + grid-checkpoint edges 58 s + anchor links 35 s = ~140 s,
  70% of it in the 256-simulation cells (why the budgets step by 4x, not 2x).
* Plan: ``--games-per-pair 24`` (grid pairs and anchor links) and 8 x 24 = 192 per ladder pair:
  3,264 games, ~20 minutes on 2 workers; the expected-information model (Fisher information at
  plausible ratings, smoke-run spread 0-1,150 Elo) predicts mean ±116 Elo after it. The greedy top-up
  waves (:mod:`benchmarks.scaling.design`: most variance removed per second) then bring every cell to
  ±50 at ~60 minutes of play in the same model (mostly cheap ladder and low-budget games). That is at
  the edge of the budget: ``--max-minutes`` (default 55) stops the study in time, the report states the
  widths reached, and a re-run resumes and keeps narrowing them.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from agents.arena.records import read_records
from agents.arena.stats import score_of
from agents.flags import CliParser
from agents.provenance import RunInfo
from benchmarks.elo import EloFit, fit_elo, games_from_results
from benchmarks.scaling.exchange_rate import CellPoint, collapse, exchange_rate
from benchmarks.scaling.cost import DEFAULT_PLIES, MoveCost, measure_move_cost, pair_seconds, sample_positions, \
    schedule_seconds
from benchmarks.scaling.design import counts_by_pair, over_target, top_up
from benchmarks.scaling.ledger import read_invocations, record_invocation, study_cost
from benchmarks.scaling.grid import DEFAULT_OPENING_PLIES, Grid, ScalingInputError, default_anchors, \
    even, grid_edges, ladder_edges, make_plan, nearest_links, neighbour_pairs, parse_anchors, parse_sims, pilot_links, \
    study_checkpoints, wave_targets
from benchmarks.scaling.report import write_scaling_report
from benchmarks.game_runner import GameFailedError, add_backend_flags
from benchmarks.scaling.checks import choose_holdouts, family_exchange_rates, holdout_rows
from benchmarks.tournament import RECORDS_FILE, Pairing, play_schedule
from games.registry import make_game

WAVE_SECONDS = 240.0
"""Target length of one wave of games (the granularity of ``--max-minutes``)."""
STARTUP_SECONDS = 10.0
"""Start-up of the game processes per wave (imports, agents), added to each wave's estimate."""


def build_parser() -> argparse.ArgumentParser:
    p = CliParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0],
                  formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("game", help="connect_four, chess, ...")
    p.add_argument("--run", type=Path, required=True, help="training run folder (RUN/checkpoints/*.pt)")
    p.add_argument("--also", action="append", default=[], metavar="RUN[:SELECTION]",
                   help="checkpoints of another run too (repeatable), e.g. self-play started from --run's last "
                        "checkpoint: runs/chess-selfplay:4 (selection as --checkpoints; default all)")
    p.add_argument("--checkpoints", default="6", help="all | N evenly spaced (default 6) | step,step,... "
                   "(a single number that is a checkpoint's step means that step)")
    p.add_argument("--sims", default="0,1,4,16,64,256",
                   help="search budgets; 0 = raw network (default 0,1,4,16,64,256)")
    p.add_argument("--games-per-pair", type=int, default=24, help="games per grid pair and anchor link (default 24)")
    p.add_argument("--anchors", action="append", default=[], metavar="SPEC[=ELO];...",
                   help="anchor ladder, weakest first, ';'-separated (repeatable); default per game")
    p.add_argument("--workers", type=int, default=2, help="game workers (default 2; 1 = in this process)")
    add_backend_flags(p)
    p.add_argument("--holdout", type=int, default=5,
                   help="pairings the schedule never plays, played directly to check the fit's predictions "
                        "(default 5; 0 = none)")
    p.add_argument("--holdout-games", type=int, default=200, help="games per held-out pairing (default 200)")
    p.add_argument("--opening-plies", type=int, default=None,
                   help="random opening plies (default 4 connect four, 6 chess)")
    p.add_argument("--max-minutes", type=float, default=55.0, help="stop starting waves after this (default 55)")
    p.add_argument("--target-ci", type=float, default=50.0, help="top up cells wider than ±this (0: no top-up)")
    p.add_argument("--measure-positions", type=int, default=8, help="positions per cell for compute per move")
    p.add_argument("--bootstrap", type=int, default=200, help="bootstrap replicates of the exchange rate")
    p.add_argument("--flat-elo", type=float, default=30.0, help="saturation: a doubling that gains less is flat")
    p.add_argument("--include", action="append", type=Path, default=[],
                   help="another benchmark's report folder to include as a panel, e.g. the report folder of "
                        "python -m benchmarks.poker tradeoff (repeatable; none by default)")
    p.add_argument("--seed", type=int, default=0, help="seed of games, openings and the bootstrap (default 0)")
    p.add_argument("--out", type=Path, required=True, help="study folder (resumed if it holds games)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


class Study:
    """One scaling study: the grid, its folder, its costs, and the games played so far."""

    def __init__(self, args: argparse.Namespace, provenance: RunInfo) -> None:
        self.args = args
        self.provenance = provenance
        game = make_game(args.game)
        if game.spec.num_players != 2:
            raise ScalingInputError(f"the scaling study needs a two-player game; {game.spec.name} has "
                                    f"{game.spec.num_players}")
        self.game = game
        sims = parse_sims(args.sims)
        infos = study_checkpoints(args.run, args.checkpoints, args.also, game.spec.name)
        anchors = parse_anchors(args.anchors) if args.anchors else default_anchors(game.spec.name)
        self.grid = Grid(infos, sims, anchors)
        if args.games_per_pair < 1 or args.workers < 1 or args.slots < 1:
            raise ScalingInputError("--games-per-pair, --workers and --slots must be at least 1")
        if args.holdout < 0 or args.holdout_games < 2:
            raise ScalingInputError("--holdout must be >= 0 and --holdout-games >= 2")
        self.opening = args.opening_plies if args.opening_plies is not None else \
            DEFAULT_OPENING_PLIES.get(game.spec.name, 2)
        self.players = {c.spec for c in self.grid.cells} | {a.spec for a in anchors}
        self.start = time.monotonic()
        self.games_at_start = len(self.records())
        self.ratio = 1.0  # measured / estimated seconds of play, updated after each wave
        self.stopped = False
        self.costs: dict[str, MoveCost] = {}
        self.holdouts: list[tuple[str, str]] = _load_holdouts(args.out / "plan.json", self.players)
        """Held-out pairings: played directly, never in the fit (benchmarks.scaling.checks)."""

    # ----- games and fits -----
    def records(self) -> list[tuple[str, str, float, int]]:
        path = self.args.out / RECORDS_FILE
        if not path.exists():
            return []
        return [(r.specs[0], r.specs[1], score_of(r.returns), r.plies) for r in read_records(path)
                if len(r.specs) == 2 and set(r.specs) <= self.players]

    def fitted_records(self) -> list[tuple[str, str, float, int]]:
        """The records the fit uses: all but the held-out pairings' games."""
        held = {frozenset(p) for p in self.holdouts}
        return [r for r in self.records() if frozenset(r[:2]) not in held]

    def fit(self) -> tuple[EloFit, Any]:
        games = games_from_results((a, b, s) for a, b, s, _ in self.fitted_records())
        return fit_elo(collapse(games), self.grid.fixed), games

    def plies(self, records: list[tuple[str, str, float, int]] | None = None) -> float:
        """Mean plies a game (``records``: the games already read, else read from the folder)."""
        rec = self.records() if records is None else records
        return sum(r[3] for r in rec) / len(rec) if rec else DEFAULT_PLIES.get(self.game.spec.name, 60.0)

    def game_seconds(self, plies: float) -> Callable[[str, str], float]:
        """Estimated seconds of one game between two players (one worker), from the measured move costs."""
        return lambda a, b: pair_seconds(self.costs, a, b, plies)

    # ----- cost -----
    def measure(self) -> None:
        import torch

        torch.set_num_threads(1)  # as in the game workers
        cache = self.args.out / "compute.json"
        known = json.loads(cache.read_text()) if cache.exists() else {}
        n = max(1, self.args.measure_positions)
        positions = sample_positions(self.game, n, self.args.seed)
        for spec in sorted(self.players):
            if spec in known and known[spec].get("positions") == n:
                self.costs[spec] = MoveCost(known[spec]["evaluations_per_move"], known[spec]["seconds_per_move"])
                continue
            self.costs[spec] = measure_move_cost(self.game, spec, positions, self.args.seed)
            known[spec] = {**self.costs[spec].to_json(), "positions": n}
            self.args.out.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(known, indent=1))

    def seconds(self, games: dict[tuple[str, str], int]) -> float:
        """Estimated wall seconds for these extra games on the workers (scaled by the measured ratio)."""
        return self.ratio * schedule_seconds(self.costs, games, self.plies(), self.args.workers)

    def missing(self, targets: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        have = counts_by_pair([(a, b) for a, b, _, _ in self.records()])
        return {k: max(0, n - have.get(frozenset(k), 0)) for k, n in targets.items()}

    def remaining_seconds(self) -> float:
        return self.args.max_minutes * 60.0 - (time.monotonic() - self.start)

    def play(self, targets: dict[tuple[str, str], int], label: str) -> bool:
        """Play up to ``targets`` games per pair; False (and nothing played) if it would pass the time limit."""
        todo = self.missing(targets)
        if not any(todo.values()):
            return True
        play_estimate = self.seconds(todo)
        estimate = play_estimate + STARTUP_SECONDS
        if estimate > self.remaining_seconds():
            self.stopped = True
            _log(f"{label}: ~{estimate / 60:.1f} min would pass --max-minutes; stopping (re-run to resume)")
            return False
        _log(f"{label}: {sum(todo.values())} games, ~{estimate / 60:.1f} min")
        began = time.monotonic()
        have = counts_by_pair([(a, b) for a, b, _, _ in self.records()])
        pairings = [Pairing(a, b, have.get(frozenset((a, b)), 0) + todo[(a, b)]) for (a, b) in targets
                    if todo[(a, b)] > 0]
        play_schedule(self.game.spec.name, pairings, self.args.out, workers=self.args.workers, seed=self.args.seed,
                      opening_plies=self.opening, progress=True, backend=self.args.backend, slots=self.args.slots)
        took = time.monotonic() - began - STARTUP_SECONDS
        if play_estimate > 5.0:
            self.ratio *= min(10.0, max(0.1, took / play_estimate))
        return True


def _load_holdouts(plan: Path, players: set[str]) -> list[tuple[str, str]]:
    """The held-out pairings stored in ``plan.json`` (those of this grid's players)."""
    if not plan.exists():
        return []
    pairs = json.loads(plan.read_text()).get("holdouts", [])
    return [(a, b) for a, b in pairs if a in players and b in players]


def play_holdouts(study: Study, scheduled: list[tuple[str, str]]) -> None:
    """Choose the held-out pairings from the current fit, among pairs the schedule never plays (a stored
    list shorter than ``--holdout`` is topped up, the stored pairs kept), store them in plan.json, and play
    ``--holdout-games`` games of each in waves (a re-run resumes)."""
    args, grid = study.args, study.grid
    if args.holdout <= 0:
        return
    if len(study.holdouts) < args.holdout:
        fit, _ = study.fit()
        played = counts_by_pair([(a, b) for a, b, _, _ in study.records()])
        had = len(study.holdouts)
        study.holdouts = choose_holdouts(fit, [c.spec for c in grid.cells], [a.spec for a in grid.anchors],
                                         [frozenset(p) for p in scheduled] + list(played), args.holdout,
                                         chosen=study.holdouts)
        if len(study.holdouts) > had:
            _log(f"held-out pairings: {had} stored, {len(study.holdouts) - had} chosen now: "
                 + "; ".join(f"{a} vs {b}" for a, b in study.holdouts[had:]))
            _update_plan(args.out, holdouts=[list(p) for p in study.holdouts])
    if study.holdouts:
        final = even(args.holdout_games)
        waves = max(1, min(4, final // 50))
        for w in range(1, waves + 1):
            if not study.play({p: wave_targets(final, waves, w) for p in study.holdouts},
                              f"{len(study.holdouts)} held-out pairings, wave {w}/{waves}"):
                return


def top_up_pairs(final: dict[tuple[str, str], int], grid: Grid, fit: EloFit,
                 holdouts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The planned pairs, then :func:`neighbour_pairs` of the current fit; held-out pairings never."""
    seen = {frozenset(p) for p in holdouts}
    pairs = []
    for pair in list(final) + neighbour_pairs(grid, {p: r.elo for p, r in fit.ratings.items()}):
        if frozenset(pair) not in seen:
            seen.add(frozenset(pair))
            pairs.append(pair)
    return pairs


def _update_plan(out: Path, **fields: Any) -> None:
    """Set ``fields`` in ``plan.json``, keeping its other entries."""
    path = out / "plan.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(fields)
    path.write_text(json.dumps(data, indent=1))


def _load_links(study: Study) -> dict[str, str] | None:
    path = study.args.out / "plan.json"
    if not path.exists():
        return None
    links = json.loads(path.read_text()).get("links", {})
    anchors = {a.spec for a in study.grid.anchors}
    cells = {c.spec for c in study.grid.cells}
    if set(links) != cells or not set(links.values()) <= anchors:
        _log("plan.json links other cells or anchors than this grid's: the pilot wave runs again (games "
             "already played are reused) and new links are chosen from its fit")
        return None
    return links


def run_study(study: Study) -> dict[str, Any]:
    """Play the study's games (:func:`play_study`), log the invocation in ``invocations.jsonl`` however it
    ends, and analyse."""
    ended = "failed"
    try:
        play_study(study)
        ended = "finished"
    except KeyboardInterrupt:
        ended = "interrupted"
        raise
    finally:
        record_invocation(study.args.out, study.provenance.to_json(), time.monotonic() - study.start,
                          study.args.workers, study.games_at_start, len(study.records()), ended)
    return analyse(study)


def play_study(study: Study) -> None:
    """Pilot wave, planned waves, top-ups until every cell is within the target, held-out pairings; stops
    at ``--max-minutes`` (a re-run resumes)."""
    args, grid = study.args, study.grid
    args.out.mkdir(parents=True, exist_ok=True)
    _log(f"{len(grid.cells)} cells ({len(grid.checkpoints)} checkpoints x {len(grid.sims)} budgets), "
         f"{len(grid.anchors)} anchors; measuring compute per move ...")
    study.measure()
    n = even(args.games_per_pair)
    pilot = {e: even(n / 4) for e in grid_edges(grid)} | {e: even(n / 4) for e in ladder_edges(grid)} | \
        {(c, a): even(n / 4) for c, a in pilot_links(grid).items()}
    links = _load_links(study)
    plan_estimate = make_plan(grid, n, links or nearest_links(grid, {s: 0.0 for s in study.players}))
    total = sum(plan_estimate.pairs.values())
    _log(f"schedule: {len(plan_estimate.pairs)} pairs, {total} games (pilot {sum(pilot.values())}), "
         f"~{study.seconds(study.missing(plan_estimate.pairs)) / 60:.0f} min to play on {args.workers} workers "
         f"(limit {args.max_minutes:g} min)" + (f"; then top-up waves until every cell is within "
                                                 f"±{args.target_ci:g} or the time is spent" if args.target_ci > 0 else ""))
    if links is None and study.play(pilot, "pilot wave"):
        fit, _ = study.fit()
        links = nearest_links(grid, {p: r.elo for p, r in fit.ratings.items()})
        _update_plan(args.out, links=links, games_per_pair=n)
    if links is not None:
        plan = make_plan(grid, n, links)
        final = dict(plan.pairs)
        for key, count in pilot.items():
            final.setdefault(key, count)
        waves = max(1, min(12, math.ceil(study.seconds(study.missing(final)) / WAVE_SECONDS)))
        for w in range(1, waves + 1):
            if not study.play({k: wave_targets(v, waves, w) for k, v in final.items()}, f"wave {w}/{waves}"):
                break
        cells = [c.spec for c in grid.cells]
        reached = True  # every cell within the target, or no top-up can narrow them further
        while args.target_ci > 0 and not study.stopped:
            fit, _ = study.fit()
            wide = over_target(fit, cells, args.target_ci)
            budget = min(WAVE_SECONDS, study.remaining_seconds() - 30.0) * args.workers / study.ratio
            if not wide:
                break
            if budget <= 0:
                reached = False
                break
            extra = top_up(fit, top_up_pairs(final, grid, fit, study.holdouts), cells, args.target_ci,
                           study.game_seconds(study.plies()), budget, even(n / 4))
            if not extra:
                break
            have = counts_by_pair([(a, b) for a, b, _, _ in study.records()])
            for key, more in extra.items():
                final[key] = max(final.get(key, 0), have.get(frozenset(key), 0)) + more
            if not study.play(final, f"top-up ({len(wide)} cells over ±{args.target_ci:g})"):
                break
        if reached and not study.stopped:  # chosen from a fit whose cells are within the target
            play_holdouts(study, list(final))


def analyse(study: Study) -> dict[str, Any]:
    """Fit, exchange rate, report; the results dictionary."""
    grid, args = study.grid, study.args
    records = study.records()
    if not records:
        raise ScalingInputError("no games were played (is --max-minutes too small?)")
    fit, games = study.fit()
    missing = [p for p in study.players if p not in fit.ratings]
    points = [CellPoint(c.spec, grid.checkpoints[c.ci].compute_flops, c.sims, c.ci) for c in grid.cells
              if c.spec in fit.ratings]
    rate = exchange_rate(games, grid.fixed, points, flat_elo=args.flat_elo, replicates=args.bootstrap,
                         seed=args.seed, fit=fit) if not missing else None
    results = build_results(study, fit, rate, missing)
    results["to_target"] = to_target(study, fit, records)
    results["holdouts"] = holdout_rows(fit, study.holdouts, records)
    if rate is not None:
        def rate_of(rows: Any, fixed: dict[str, float]) -> Any:
            return exchange_rate(rows, fixed, points, flat_elo=args.flat_elo, replicates=min(args.bootstrap, 100),
                                 seed=args.seed)
        results["anchor_families"] = [f.to_json() for f in family_exchange_rates(
            study.fitted_records(), [c.spec for c in grid.cells], [a.spec for a in grid.anchors], fit, rate_of)]
    return write_scaling_report(results, args.out, study.provenance, args.include)


PROJECTION_STEPS = 100_000
"""Most greedy steps of :func:`to_target` (each adds one chunk of games to one pair)."""


def to_target(study: Study, fit: EloFit, records: list[tuple[str, str, float, int]]) -> dict[str, Any] | None:
    """What is left: the games the top-up design would add, from this fit, until every cell is within the
    target (one greedy design without a time limit, the pairs the top-up waves may use), and their
    estimated cost from the measured move costs (``records``: the games, already read). None before the
    links are chosen or without a target."""
    args, grid = study.args, study.grid
    links = _load_links(study)
    cells = [c.spec for c in grid.cells]
    if args.target_ci <= 0 or links is None or not study.costs or any(c not in fit.ratings for c in cells):
        return None
    wide = over_target(fit, cells, args.target_ci)
    n = even(args.games_per_pair)
    seconds = study.game_seconds(study.plies(records))
    extra = top_up(fit, top_up_pairs(dict(make_plan(grid, n, links).pairs), grid, fit, study.holdouts), cells,
                   args.target_ci, seconds, math.inf, even(n / 4), max_steps=PROJECTION_STEPS) if wide else {}
    core_seconds = study.ratio * sum(m * seconds(a, b) for (a, b), m in extra.items())
    return {"cells_over": len(wide), "games": sum(extra.values()), "core_hours": core_seconds / 3600.0,
            "pairs": [{"a": a, "b": b, "games": m} for (a, b), m in sorted(extra.items(), key=lambda kv: -kv[1])]}


def build_results(study: Study, fit: EloFit, rate: Any, missing: list[str]) -> dict[str, Any]:
    grid = study.grid
    cells = []
    for c in grid.cells:
        ck = grid.checkpoints[c.ci]
        r = fit.ratings.get(c.spec)
        cost = study.costs.get(c.spec)
        cells.append({"checkpoint": ck.path, "step": ck.step, "label": ck.label, "sims": c.sims, "spec": c.spec,
                      "elo": r.elo if r else None, "ci95": list(r.ci95) if r else None, "games": r.games if r else 0,
                      "compute_flops": ck.compute_flops, "learner_steps": ck.learner_steps,
                      "wall_seconds": ck.wall_seconds, "selfplay_games": ck.selfplay_games,
                      "evaluations_per_move": cost.evaluations if cost else None,
                      "seconds_per_move": cost.seconds if cost else None,
                      "in_plane_fit": bool(rate and c.spec in rate.used)})
    anchors = {}
    for a in grid.anchors:
        r = fit.ratings.get(a.spec)
        cost = study.costs.get(a.spec)
        anchors[a.spec] = {"elo": r.elo if r else None, "ci95": list(r.ci95) if r else None,
                           "games": r.games if r else 0, "fixed": a.elo is not None,
                           "seconds_per_move": cost.seconds if cost else None,
                           "evaluations_per_move": cost.evaluations if cost else None}
    widths = sorted((c["ci95"][1] - c["ci95"][0]) / 2 for c in cells if c["ci95"])
    return {"game": study.game.spec.name, "run": str(study.args.run), "sims": list(grid.sims),
            "half_width_median": widths[len(widths) // 2] if widths else None,
            "half_width_max": widths[-1] if widths else None,
            "cells_over_target": sum(w > study.args.target_ci for w in widths) if study.args.target_ci > 0 else 0,
            "checkpoints": [ck.path for ck in grid.checkpoints], "cells": cells, "anchors": anchors,
            "exchange_rate": rate.to_json() if rate else {"k": None, "ci95": None},
            "first_move_advantage": fit.advantage, "virtual_draws": fit.virtual_draws,
            "games": len(study.fitted_records()), "holdout_games": len(study.records()) - len(study.fitted_records()),
            "opening_plies": study.opening, "target_ci": study.args.target_ci,
            "stopped_early": study.stopped, "unrated": missing, "flat_elo": study.args.flat_elo,
            "elapsed_minutes": (time.monotonic() - study.start) / 60.0,
            "cost": study_cost(read_invocations(study.args.out)),
            "included": [str(p) for p in study.args.include]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    for folder in args.include:
        if not (folder / "results.json").is_file():
            raise ScalingInputError(f"--include {folder}: no results.json there")
    try:
        results = run_study(Study(args, provenance))
    except GameFailedError as err:
        sys.stderr.write(f"error: {err}\n  finished games are in {args.out / RECORDS_FILE}; re-run to resume\n")
        return 1
    if args.json:
        print(json.dumps({"cells": [{k: c[k] for k in ("checkpoint", "step", "sims", "elo", "ci95", "games")}
                                    for c in results["cells"]],
                          "exchange_rate": results["exchange_rate"], "anchors": results["anchors"],
                          "games": results["games"], "stopped_early": results["stopped_early"],
                          "half_width_max": results["half_width_max"],
                          "out": str(args.out)}, default=float))
    else:
        for c in results["cells"]:
            ci = c["ci95"]
            text = f"{c['elo']:8.1f}  [{ci[0]:7.1f}, {ci[1]:7.1f}]" if ci else "   unrated"
            print(f"{text}  {c['games']:5d} games  step {c['step']:>7}  sims {c['sims']}")
        k = results["exchange_rate"]["k"]
        if k is not None:
            lo, hi = results["exchange_rate"]["ci95"]
            print(f"10x search buys what {k:.3g}x training buys (95% interval {lo:.3g} .. {hi:.3g})")
        print(f"report: {args.out / 'report.html'}")
    return 0

