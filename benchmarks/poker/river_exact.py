"""``python -m benchmarks.poker river``: river search against its blueprint, the match's expectation computed exactly.

The blueprint plays ``--hands`` seeded hands against itself. At every hand that reaches the river, each
``--agent`` (a ``subgame:`` spec searching from the river, ``street=3``, which plays the blueprint before
it) takes either seat in turn against the blueprint from that public state, and its river is scored exactly
over every pair of hands of both blueprint ranges (:mod:`agents.arena.exact_river`): every public line
the two strategies give positive probability is walked, the searcher re-solving at each of its decisions
as in play (nested solves, its own raise sizes, the blueprint translating them). The gain of a hand is the
searcher's exact river value minus the blueprint's own in the same seat, averaged over both seats: what a
duplicate match against the blueprint measures, without the card luck of the river. Hands that end before
the river count 0 (both play the blueprint there).

``--measure br`` scores safety instead: what a river best response (a player who knows the strategy, with bet
sizes on and off the blueprint's tree) wins against each agent and against the blueprint from the same
states, exactly over the cards.

Budgets are iterations (``iters=N,seconds=0`` in the spec), so load does not change the numbers, only the
time. Hands are written to ``--out/hands.jsonl`` as they are done, and the same command resumes from it;
the report gives mbb/hand with a 95% interval over hands for each agent, and the difference of each agent
from the first, paired hand by hand.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tqdm import tqdm  # noqa: E402

from agents.flags import CliParser  # noqa: E402
from agents.provenance import RunInfo  # noqa: E402
from benchmarks.poker.exact_records import add_run_arguments, mean_ci, read_records  # noqa: E402
from benchmarks.report import Report  # noqa: E402
from games.core import InputError  # noqa: E402
from games.registry import make_game  # noqa: E402

DEFAULT_AGENT = "subgame:street=3,iters=300,seconds=0,threads=1"
RECORD_FORMAT = 1
RIVER = 3
MIN_SHARE = 1e-6


def _key(seed: int, hand: int, spec: str, measure: str = "gain") -> str:
    return f"{seed}/{hand}/{spec}" if measure == "gain" else f"{seed}/{hand}/{measure}/{spec}"


def make_searchers(game: Any, specs: list[str], checkpoint: str) -> list[Any]:
    """The agents of ``specs``: river searchers on ``checkpoint``'s blueprint (else InputError)."""
    from agents.registry import make_agent
    from agents.subgame_nolimit import NoLimitSubgameAgent

    out = []
    for spec in specs:
        agent = make_agent(spec, game, seed=0)
        if not isinstance(agent, NoLimitSubgameAgent) or agent.settings is None or agent.street != RIVER:
            raise InputError(f"--agent '{spec}' must be a subgame: agent that searches from the river "
                             f"(street=3, iters >= 1)")
        if Path(agent.checkpoint_path).resolve() != Path(checkpoint).resolve():
            raise InputError(f"--agent '{spec}' plays {agent.checkpoint_path}, not the blueprint {checkpoint}")
        out.append(agent)
    return out


def river_start(game: Any, blueprint: Any, hand: int, seed: int) -> Any:
    """The first river decision of blueprint self-play hand ``hand`` (None if the hand ends before it)."""
    from benchmarks.poker.spots import hand_decisions

    states = hand_decisions(game, blueprint, hand, RIVER, seed)
    return states[0] if states else None


def measure_hand(game: Any, blueprint: Any, searchers: list[Any], specs: list[str], hand: int,
                 seed: int, measure: str = "gain") -> list[dict[str, Any]]:
    """Rows of hand ``hand`` for each searcher: its gain against the blueprint (``measure="gain"``) or what a
    river best response wins against it and against the blueprint (``"br"``)."""
    from agents.arena.exact_river import RiverBoard, river_value
    from search.cfr.nl_mirror import blueprint_ranges
    from search.cfr.nl_translate import walk_history

    start = river_start(game, blueprint, hand, seed)
    big = float(game.rules.big_blind)
    base = {"format": RECORD_FORMAT, "hand": hand, "seed": seed}
    if measure != "gain":
        base["measure"] = measure
    if start is None:
        return [{**base, "key": _key(seed, hand, s, measure), "agent": s, "river": False, "gain": 0.0,
                 "seats": [0.0, 0.0], "pot": 0, "solves": 0, "seconds": 0.0, "pruned": 0.0} for s in specs]
    steps, _, _ = walk_history(blueprint.blueprint.tree, blueprint.rules, [list(x) for x in start.sequences],
                               blueprint.translator)
    ranges = blueprint_ranges(blueprint.blueprint, blueprint.source, steps, tuple(start.board))
    board = RiverBoard(start.board)
    if measure != "gain":
        rows = []
        for spec, agent in zip(specs, searchers):
            row = {**base, "key": _key(seed, hand, spec, measure), "agent": spec, "river": True,
                   "pot": int(sum(start.spent))}
            rows.append(_best_responses(start, blueprint, agent, ranges, board, big, row, br_fractions(measure)))
        return rows
    blueprint.new_game(hand)
    reference = river_value(start, [blueprint, blueprint], ranges, MIN_SHARE, board)
    rows = []
    for spec, agent in zip(specs, searchers):
        solves, began = agent.resolves, time.perf_counter()
        seats, pruned = [], reference.pruned
        for seat in (0, 1):
            agent.new_game(hand)
            blueprint.new_game(hand)
            players = [agent, blueprint] if seat == 0 else [blueprint, agent]
            value = river_value(start, players, ranges, MIN_SHARE, board)
            seats.append((value.value - reference.value) * (1 if seat == 0 else -1) / big * 1000.0)
            pruned += value.pruned
        rows.append({**base, "key": _key(seed, hand, spec), "agent": spec, "river": True,
                     "gain": float(np.mean(seats)), "seats": seats, "pot": int(sum(start.spent)),
                     "solves": agent.resolves - solves, "seconds": time.perf_counter() - began, "pruned": pruned})
    return rows


def br_fractions(measure: str) -> tuple[float, ...]:
    """The best responder's raise sizes (pot fractions) of ``--measure br`` or ``br:F1,F2,...``."""
    from agents.arena.exact_river import BR_FRACTIONS

    if measure == "br":
        return BR_FRACTIONS
    try:
        if not measure.startswith("br:"):
            raise ValueError
        out = tuple(float(x) for x in measure[3:].split(","))
        if not out or not all(math.isfinite(f) and 0.0 < f <= 100.0 for f in out):
            raise ValueError
    except ValueError:
        raise InputError(f"--measure must be gain, br or br:F1,F2,... (pot fractions in (0, 100]); "
                         f"got '{measure}'") from None
    return out


def _best_responses(start: Any, blueprint: Any, agent: Any, ranges: np.ndarray, board: Any, big: float,
                    row: dict[str, Any], fractions: tuple[float, ...]) -> dict[str, Any]:
    """The best response's mbb against ``agent`` and against the blueprint, the agent in either seat."""
    from agents.arena.exact_river import river_best_response

    solves, began = agent.resolves, time.perf_counter()
    against: dict[str, list[float]] = {"agent": [], "blueprint": []}
    pruned = 0.0
    for seat in (0, 1):
        for name, player in (("agent", agent), ("blueprint", blueprint)):
            player.new_game(row["hand"])
            value = river_best_response(start, player, 1 - seat, ranges, fractions, MIN_SHARE, board)
            against[name].append(value.value / big * 1000.0)
            pruned += value.pruned
    seats = [a - b for a, b in zip(against["agent"], against["blueprint"])]
    return {**row, "gain": float(np.mean(seats)), "seats": seats, "br_agent": against["agent"],
            "br_blueprint": against["blueprint"], "solves": agent.resolves - solves,
            "seconds": time.perf_counter() - began, "pruned": pruned}


def measure(args: argparse.Namespace, specs: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Every hand x agent, resumed from and appended to ``--out/hands.jsonl``; (rows, hands done)."""
    from agents.cfr_nolimit import NoLimitBlueprintAgent

    game = make_game(args.game)
    searchers = make_searchers(game, specs, args.checkpoint)
    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "hands.jsonl"
    done = read_records(log, RECORD_FORMAT, args.checkpoint)
    blueprint = NoLimitBlueprintAgent(game, args.checkpoint, args.seed)
    deadline = time.time() + 60.0 * args.max_minutes if args.max_minutes else None
    rows: list[dict[str, Any]] = []
    completed = 0
    with log.open("a") as sink, tqdm(total=args.hands, desc="hands", unit="hand", file=sys.stderr,
                                     disable=args.json) as bar:
        for hand in range(args.hands):
            keys = [_key(args.seed, hand, s, args.measure) for s in specs]
            if not all(k in done for k in keys):
                if deadline is not None and time.time() > deadline:
                    break
                todo = [(s, a) for s, a, k in zip(specs, searchers, keys) if k not in done]
                new = measure_hand(game, blueprint, [a for _, a in todo], [s for s, _ in todo], hand, args.seed, args.measure)
                for row in new:
                    row["checkpoint"] = args.checkpoint
                    done[row["key"]] = row
                    sink.write(json.dumps(row) + "\n")
                sink.flush()
            rows += [done[k] for k in keys]
            completed += 1
            bar.update(1)
    return rows, completed



def summarize(rows: list[dict[str, Any]], specs: list[str], stack: int, big_blind: int) -> dict[str, Any]:
    """Per agent: gain per hand and per river hand, by seat; each agent minus the first, paired by hand."""
    by = {s: {r["hand"]: r for r in rows if r["agent"] == s} for s in specs}
    cells = []
    for spec in specs:
        hands = by[spec]
        gain = np.array([hands[h]["gain"] for h in sorted(hands)])
        river = [r for r in hands.values() if r["river"]]
        solves = sum(r["solves"] for r in river)
        cell = {"agent": spec, "hands": len(hands), "river_hands": len(river), "gain_mbb": mean_ci(gain),
                "gain_per_river_hand": mean_ci(np.array([r["gain"] for r in river])),
                "seat0": mean_ci(np.array([hands[h]["seats"][0] for h in sorted(hands)])),
                "seat1": mean_ci(np.array([hands[h]["seats"][1] for h in sorted(hands)])),
                "solves_per_river_hand": solves / len(river) if river else 0.0,
                "seconds_per_solve": sum(r["seconds"] for r in river) / solves if solves else 0.0,
                "pruned_max": max((r["pruned"] for r in river), default=0.0)}
        # a pruned line changes a value by at most its share x the stack, in mbb
        cell["pruned_bound_mbb"] = cell["pruned_max"] * stack / big_blind * 1000.0
        if river and "br_agent" in river[0]:
            cell["br_agent_mbb"] = mean_ci(np.array([np.mean(hands[h].get("br_agent", [0.0])) for h in sorted(hands)]))
            cell["br_blueprint_mbb"] = mean_ci(np.array([np.mean(hands[h].get("br_blueprint", [0.0]))
                                                          for h in sorted(hands)]))
        if spec != specs[0]:
            common = sorted(set(by[specs[0]]) & set(hands))
            diff = np.array([hands[h]["gain"] - by[specs[0]][h]["gain"] for h in common])
            cell["minus_first_mbb"] = mean_ci(diff)
        cells.append(cell)
    return {"cells": cells}


def _fmt(ci: dict[str, Any] | None) -> str:
    if not ci or ci["n"] < 2:
        return "-"
    lo, hi = ci["ci95"]
    return f"{ci['mean']:+.0f} [{lo:+.0f}, {hi:+.0f}]"


def write_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    if results["measure"] != "gain":
        return _write_br_report(results, out, provenance)
    report = Report(f"No-limit hold'em: river search against its blueprint, exact over the cards ({results['game']})")
    report.text(f"Blueprint `{results['checkpoint']}` against itself over {results['hands_played']} hands (seed "
                f"{results['seed']}). At each hand that reaches the river, every agent takes each seat against "
                f"the blueprint from that public state and its river is computed exactly over every pair of "
                f"hands of the blueprint's ranges (`agents/arena/exact_river.py`): nested re-solves, its raise "
                f"sizes and the blueprint's translation of them included, the river's card luck removed. Gain: "
                f"mbb/hand the agent wins against the blueprint minus what the blueprint wins against itself in "
                f"the same seat, averaged over both seats (a duplicate match's expectation); hands that end "
                f"before the river count 0. 95% intervals over hands.")
    report.table(["agent", "hands (reaching the river)", "gain, mbb/hand", "per river hand", "seat 0 / seat 1",
                  "minus the first, paired", "re-solves per river hand", "s per re-solve",
                  "pruned lines: bound (mbb)"],
                 [[f"`{c['agent']}`", f"{c['hands']} ({c['river_hands']})", _fmt(c["gain_mbb"]),
                   _fmt(c["gain_per_river_hand"]), f"{_fmt(c['seat0'])} / {_fmt(c['seat1'])}",
                   _fmt(c.get("minus_first_mbb")), f"{c['solves_per_river_hand']:.1f}",
                   f"{c['seconds_per_solve']:.2f}", f"{c['pruned_bound_mbb']:.2g}"] for c in results["cells"]])
    if results.get("partial"):
        report.text("**Partial**: the time limit stopped the run; the same command resumes from hands.jsonl.")
    cells = [c for c in results["cells"] if c["gain_mbb"]["n"] > 1]
    if cells:
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.7 * len(cells)))
        y = np.arange(len(cells))
        means = [c["gain_mbb"]["mean"] for c in cells]
        err = [[c["gain_mbb"]["mean"] - c["gain_mbb"]["ci95"][0] for c in cells],
               [c["gain_mbb"]["ci95"][1] - c["gain_mbb"]["mean"] for c in cells]]
        ax.errorbar(means, y, xerr=err, fmt="o", capsize=4)
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_yticks(y, [c["agent"].replace("subgame:", "") for c in cells], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("mbb/hand against the blueprint (95% interval)")
        ax.set_title(f"River search against {Path(results['checkpoint']).name}, exact over the cards")
        fig.tight_layout()
        report.figure("river.png", fig)
    return report.write(out, results, provenance)


def _write_br_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    report = Report(f"No-limit hold'em: what a river best response wins against search and against the blueprint "
                    f"({results['game']})")
    sizes = ", ".join(f"{f:g}" for f in br_fractions(results["measure"]))
    report.text(f"Blueprint `{results['checkpoint']}` against itself over {results['hands_played']} hands (seed "
                f"{results['seed']}). At each hand that reaches the river, a player who knows the agent's strategy "
                f"best-responds to it from that public state, hand by hand, with fold, check/call, raises of "
                f"{sizes} pots and all-in (sizes on and off the blueprint's tree: the blueprint meets an off-tree "
                f"size by translation, the searcher by re-solving), exactly over every pair of hands of the "
                f"blueprint's ranges (`agents/arena/exact_river.py`), with the agent in either seat; the same "
                f"against the blueprint itself. mbb/hand the best response wins (lower is less exploitable); hands "
                f"that end before the river count 0. 95% intervals over hands.")
    report.table(["agent", "hands (reaching the river)", "best response vs the blueprint", "vs the agent",
                  "agent minus blueprint, paired", "re-solves per river hand", "s per re-solve",
                  "pruned lines: bound (mbb)"],
                 [[f"`{c['agent']}`", f"{c['hands']} ({c['river_hands']})", _fmt(c.get("br_blueprint_mbb")),
                   _fmt(c.get("br_agent_mbb")), _fmt(c["gain_mbb"]), f"{c['solves_per_river_hand']:.1f}",
                   f"{c['seconds_per_solve']:.2f}", f"{c['pruned_bound_mbb']:.2g}"] for c in results["cells"]])
    if results.get("partial"):
        report.text("**Partial**: the time limit stopped the run; the same command resumes from hands.jsonl.")
    return report.write(out, results, provenance)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m benchmarks.poker river", description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", default="holdem_nolimit", help="game name with its parameters")
    parser.add_argument("--checkpoint", default="models/nolimit/blueprint.npz", help="the blueprint (.npz)")
    parser.add_argument("--agent", action="append", default=None,
                        help=f"a river searcher, repeatable; the first is the reference of the paired differences "
                             f"(default {DEFAULT_AGENT})")
    parser.add_argument("--hands", type=int, default=100, help="blueprint self-play hands (default 100)")
    parser.add_argument("--measure", default="gain",
                        help="gain: each agent's exact river result against the blueprint (default); br: what a "
                             "river best response wins against each agent and against the blueprint, raising 0.5, "
                             "0.75, 1 and 2 pots or all-in; br:F1,F2,...: with those pot fractions (and all-in)")
    add_run_arguments(parser, "hand", "runs/benchmarks/nolimit-river")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    provenance = RunInfo.begin("python -m benchmarks.poker river", argv)
    args = build_parser().parse_args(argv)
    from search.cfr.nl_blueprint import load_checkpoint

    specs = list(dict.fromkeys(args.agent or [DEFAULT_AGENT]))
    if args.measure != "gain":
        br_fractions(args.measure)  # a malformed size list fails before any work
    if args.hands < 1:
        raise InputError(f"--hands must be >= 1; got {args.hands}")
    if not math.isfinite(args.max_minutes) or args.max_minutes < 0:
        raise InputError(f"--max-minutes must be a number >= 0; got {args.max_minutes}")
    load_checkpoint(Path(args.checkpoint))  # a missing or foreign file fails before any work
    game = make_game(args.game)
    rows, hands_played = measure(args, specs)
    results = {"game": game.spec.name, "checkpoint": args.checkpoint, "seed": args.seed, "hands": args.hands,
               "hands_played": hands_played, "agents": specs, "measure": args.measure, "partial": hands_played < args.hands,
               "min_share": MIN_SHARE,
               **summarize(rows, specs, int(game.rules.stack), int(game.rules.big_blind))}
    out = write_report(results, args.out, provenance)
    text = (args.out / "report.md").read_text()
    sys.stdout.write((json.dumps(out, default=float) if args.json else text) + "\n")
    return 0
