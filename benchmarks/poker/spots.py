"""``python -m benchmarks.poker spots``: re-solving single no-limit decisions, measured exactly against the blueprint.

The blueprint plays ``--hands`` hands against itself (seeded deals). Every decision it reaches in round
``--street`` (3 = the river, 2 = the turn) is a *spot*: the blueprint is mirrored onto real cards from there, the
searcher re-solves it on that same tree in each ``--modes`` way for each ``--iters`` budget, and the
solution is scored over every pair of hands of both ranges (:mod:`search.cfr.nl_spots`): the gain against
the blueprint (chips the searcher wins with its solution minus with the blueprint's strategy, against the
blueprint), the exploitability against the opponent's range, and the gadget's per-hand safety. With no card
luck and no action translation in it, a spot measures what a head-to-head match measures for the first
re-solved decision, with a small fraction of its noise; it does not cover the nested decisions after it
nor the finer raise sizes the agent adds (the match in ``python -m benchmarks.poker nolimit`` does).

Spots are written to ``--out/spots.jsonl`` as they are done, and the same command resumes from it; the
report (``report.md``, ``results.json``, ``spots.png``) gives each mode's mean over spots with a 95%
interval, and each mode's difference from the first mode paired spot by spot.
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

DEFAULT_MODES = "unsafe,safe:0,safe:0.05"
RECORD_FORMAT = 1


def parse_modes(text: str) -> list[Any]:
    """``unsafe`` and ``safe:ESTIMATE`` (optionally ``safe:ESTIMATE:FLOOR``), comma-separated."""
    from search.cfr.nl_spots import Mode

    modes = []
    for item in (x.strip() for x in text.split(",") if x.strip()):
        parts = item.split(":")
        try:
            if parts == ["unsafe"]:
                modes.append(Mode(safe=False))
            elif parts[0] == "safe" and 2 <= len(parts) <= 3:
                estimate, floor = float(parts[1]), float(parts[2]) if len(parts) == 3 else 0.1
                if not (math.isfinite(estimate) and estimate >= 0.0 and 0.0 < floor <= 1.0):
                    raise ValueError
                modes.append(Mode(safe=True, estimate=estimate, floor=floor))
            else:
                raise ValueError
        except ValueError:
            raise InputError(f"--modes: '{item}' is not unsafe or safe:ESTIMATE[:FLOOR] (estimate >= 0, "
                             f"floor in (0, 1])") from None
    if not modes:
        raise InputError("--modes is empty")
    return modes


def _spot_key(seed: int, hand: int, decision: int, mode: str, iters: int) -> str:
    return f"{seed}/{hand}/{decision}/{mode}/{iters}"


def hand_decisions(game: Any, agent: Any, hand: int, street: int, seed: int) -> list[Any]:
    """Copies of the states of every decision in round ``street``, in hand ``hand`` of the blueprint
    ``agent`` against itself (deals seeded by ``seed`` and ``hand``)."""
    from agents.arena.match import play_game

    found: list[Any] = []

    class Recorder:
        def act(self, state: Any) -> int:
            if int(state.round) == street:
                found.append(state.copy())
            return agent.act(state)

        def __getattr__(self, name: str) -> Any:
            return getattr(agent, name)

    recorder = Recorder()
    play_game(game, [recorder, recorder], seed=seed * 1_000_003 + hand)
    return found


def spot_of(agent: Any, state: Any) -> Any:
    """The :class:`~search.cfr.nl_spots.Spot` at ``state`` with the blueprint ``agent``'s ranges."""
    from search.cfr.nl_hands import HoldemHands
    from search.cfr.nl_mirror import blueprint_ranges
    from search.cfr.nl_spots import make_spot
    from search.cfr.nl_translate import walk_history

    sequences = [list(s) for s in state.sequences]
    steps, node, betting = walk_history(agent.blueprint.tree, agent.rules, sequences, agent.translator)
    if betting is None:
        return None
    board = tuple(state.board)
    ranges = blueprint_ranges(agent.blueprint, agent.source, steps, board)
    return make_spot(agent.blueprint, agent.source, node, betting, HoldemHands(board), ranges)


def measure(args: argparse.Namespace, modes: list[Any], iters: list[int]) -> tuple[list[dict[str, Any]], int]:
    """Every spot x mode x budget, resumed from and appended to ``--out/spots.jsonl``; (rows, hands done)."""
    from agents.cfr_nolimit import NoLimitBlueprintAgent
    from search.cfr.nl_resolve import SolverConfig
    from search.cfr.nl_spots import evaluate_spot

    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "spots.jsonl"
    done = read_records(log, RECORD_FORMAT, args.checkpoint)
    game = make_game(args.game)
    agent = NoLimitBlueprintAgent(game, args.checkpoint, args.seed)
    deadline = time.time() + 60.0 * args.max_minutes if args.max_minutes else None
    rows: list[dict[str, Any]] = []
    completed = 0
    with log.open("a") as sink, tqdm(total=args.hands, desc="hands", unit="hand", file=sys.stderr,
                                     disable=args.json) as bar:
        for hand in range(args.hands):
            if deadline is not None and time.time() > deadline:
                break
            for index, state in enumerate(hand_decisions(game, agent, hand, args.street, args.seed)):
                keys = [(m, it, _spot_key(args.seed, hand, index, m.name, it)) for it in iters for m in modes]
                if all(k in done for _, _, k in keys):
                    rows += [done[k] for _, _, k in keys]
                    continue
                spot = spot_of(agent, state)
                if spot is None:
                    continue
                for mode, it, key in keys:
                    if key not in done:
                        config = SolverConfig(iterations=it, seconds=0, threads=args.threads,
                                              chance_samples=args.chance_samples, seed=args.seed)
                        r = evaluate_spot(spot, mode, config)
                        done[key] = {"format": RECORD_FORMAT, "key": key, "checkpoint": args.checkpoint,
                                     "hand": hand, "decision": index, "round": int(state.round),
                                     "player": spot.player, "pot": spot.pot, "mode": r.mode, "iters": it,
                                     "gain": r.gain, "exploit_blueprint": r.exploit_blueprint,
                                     "exploit_solution": r.exploit_solution, "max_excess": r.max_excess,
                                     "share_over": r.share_over, "seconds": r.seconds}
                        sink.write(json.dumps(done[key]) + "\n")
                        sink.flush()
                    rows.append(done[key])
            completed += 1
            bar.update(1)
    return rows, completed



def summarize(rows: list[dict[str, Any]], modes: list[Any], iters: list[int], big_blind: int,
              hands: int) -> dict[str, Any]:
    """Per (mode, budget): gain, exploitability and safety over the spots; differences paired by spot."""
    from search.cfr.nl_spots import EXCESS_TOLERANCE

    mbb = 1000.0 / big_blind
    by: dict[tuple[str, int], dict[tuple[int, int], dict[str, Any]]] = {}
    for r in rows:
        by.setdefault((r["mode"], r["iters"]), {})[(r["hand"], r["decision"])] = r
    cells = []
    first = modes[0].name
    for it in iters:
        for m in modes:
            spots = by.get((m.name, it), {})
            if not spots:
                continue
            vals = list(spots.values())
            gain = np.array([v["gain"] for v in vals]) * mbb
            pots = np.array([v["gain"] / v["pot"] for v in vals])
            cell = {"mode": m.name, "iters": it, "spots": len(vals),
                    "gain_mbb": mean_ci(gain), "gain_pots": mean_ci(pots),
                    "gain_mbb_per_hand": float(gain.sum() / hands) if hands else float("nan"),
                    "exploit_blueprint_mbb": float(np.mean([v["exploit_blueprint"] for v in vals]) * mbb),
                    "exploit_solution_mbb": float(np.mean([v["exploit_solution"] for v in vals]) * mbb),
                    "max_excess_pots_mean": float(np.mean([v["max_excess"] / v["pot"] for v in vals])),
                    "max_excess_pots_worst": float(np.max([v["max_excess"] / v["pot"] for v in vals])),
                    "spots_over_alternative": float(np.mean([v["max_excess"] > EXCESS_TOLERANCE * v["pot"] for v in vals])),
                    "share_of_hands_over": float(np.mean([v["share_over"] for v in vals])),
                    "seconds_mean": float(np.mean([v["seconds"] for v in vals]))}
            ref = by.get((first, it), {})
            common = sorted(set(ref) & set(spots))
            if m.name != first and common:
                diff = np.array([spots[k]["gain"] - ref[k]["gain"] for k in common]) * mbb
                cell["minus_first_mbb"] = mean_ci(diff)
            cells.append(cell)
    return {"cells": cells, "first_mode": first}


def _fmt(ci: dict[str, Any] | None, digits: int = 0) -> str:
    if not ci or ci["n"] == 0:
        return "-"
    lo, hi = ci["ci95"]
    return f"{ci['mean']:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def write_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    report = Report(f"No-limit hold'em: re-solving single decisions against the blueprint ({results['game']})")
    report.text(f"Blueprint `{results['checkpoint']}` against itself over {results['hands_played']} hands (seed "
                f"{results['seed']}); every decision in round {results['street']} (3 = river, 2 = turn) is a spot, "
                f"{results['spots']} in all. Each spot is re-solved on the blueprint's own tree on real cards and "
                f"scored exactly over both ranges (`search/cfr/nl_spots.py`). Gain: mbb the searcher wins at the "
                f"spot with its solution minus with the blueprint's strategy, against the blueprint (95% interval "
                f"over spots). Exploitability: the opponent's best-response mbb against the strategy, with its "
                f"range at the spot. Safety: the opponent hands whose best-response value beats their "
                f"alternative (their value against the blueprint), which the safe gadget promises not to "
                f"happen; excess in pots.")
    report.table(["mode", "DCFR iterations", "spots", "gain, mbb per spot", f"minus {results['first_mode']}, paired",
                  "gain, pots per spot", "exploitability: blueprint / solution (mbb)",
                  "spots with a hand over its alternative by > 1% of the pot", "worst excess (pots)", "s per solve"],
                 [[c["mode"], c["iters"], c["spots"], _fmt(c["gain_mbb"]), _fmt(c.get("minus_first_mbb")),
                   _fmt(c["gain_pots"], 4), f"{c['exploit_blueprint_mbb']:.0f} / {c['exploit_solution_mbb']:.0f}",
                   f"{c['spots_over_alternative']:.0%}", f"{c['max_excess_pots_worst']:.3f}",
                   f"{c['seconds_mean']:.2f}"] for c in results["cells"]])
    report.text("Gain per hand played if every spot were re-solved once from the blueprint's ranges (the sum of "
                "the gains over the hands played; nested decisions and finer raises not modelled): " +
                ", ".join(f"{c['mode']} at {c['iters']}: {c['gain_mbb_per_hand']:+.0f} mbb/hand"
                          for c in results["cells"]) + ".")
    if results.get("partial"):
        report.text("**Partial**: the time limit stopped the run; the same command resumes from spots.jsonl.")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for mode in dict.fromkeys(c["mode"] for c in results["cells"]):
        cs = [c for c in results["cells"] if c["mode"] == mode]
        x = [c["iters"] for c in cs]
        y = [c["gain_mbb"]["mean"] for c in cs]
        err = [[c["gain_mbb"]["mean"] - c["gain_mbb"]["ci95"][0] for c in cs],
               [c["gain_mbb"]["ci95"][1] - c["gain_mbb"]["mean"] for c in cs]]
        axes[0].errorbar(x, y, yerr=err, marker="o", capsize=3, label=mode)
        axes[1].plot(x, [c["exploit_solution_mbb"] for c in cs], marker="o", label=mode)
    if results["cells"]:
        axes[1].axhline(results["cells"][0]["exploit_blueprint_mbb"], color="grey", ls="--", label="blueprint")
    for ax, title, ylabel in ((axes[0], "Gain against the blueprint", "mbb per spot (95% interval)"),
                              (axes[1], "Exploitability against the opponent's range", "mbb per spot")):
        ax.set_xscale("log")
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_xlabel("DCFR iterations per re-solve")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
    street = {1: "flop", 2: "turn", 3: "river"}[results["street"]]
    fig.suptitle(f"Re-solving {Path(results['checkpoint']).name}'s decisions on the {street}, scored exactly")
    fig.tight_layout()
    report.figure("spots.png", fig)
    return report.write(out, results, provenance)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m benchmarks.poker spots", description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", default="holdem_nolimit", help="game name with its parameters")
    parser.add_argument("--checkpoint", default="models/nolimit/blueprint.npz", help="the blueprint (.npz)")
    parser.add_argument("--hands", type=int, default=100, help="blueprint self-play hands the spots come from")
    parser.add_argument("--street", type=int, default=3, help="the round whose decisions are spots (3 = river; "
                                                                "2 = turn, far slower)")
    parser.add_argument("--iters", default="300", help="DCFR iterations per re-solve, comma-separated")
    parser.add_argument("--modes", default=DEFAULT_MODES,
                        help=f"ways to re-solve: unsafe, safe:ESTIMATE[:FLOOR] (default {DEFAULT_MODES}); "
                             "the first is the reference of the paired differences")
    parser.add_argument("--chance-samples", type=int, default=12, help="turn spots: river cards per iteration")
    parser.add_argument("--threads", type=int, default=1, help="numba threads of the solver (default 1)")
    add_run_arguments(parser, "spot", "runs/benchmarks/nolimit-spots")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    provenance = RunInfo.begin("python -m benchmarks.poker spots", argv)
    args = build_parser().parse_args(argv)
    from benchmarks.poker.nolimit import _numbers
    from search.cfr.nl_blueprint import load_checkpoint

    modes = parse_modes(args.modes)
    iters = _numbers(args.iters, int)
    if min(iters) < 1:
        raise InputError(f"--iters must be >= 1; got '{args.iters}'")
    if args.hands < 1 or not 1 <= args.street <= 3 or args.threads < 1 or args.chance_samples < 0:
        raise InputError("--hands and --threads must be >= 1, --street 1..3 and --chance-samples >= 0")
    if not math.isfinite(args.max_minutes) or args.max_minutes < 0:
        raise InputError(f"--max-minutes must be a number >= 0; got {args.max_minutes}")
    load_checkpoint(Path(args.checkpoint))  # a missing or foreign file fails before any work
    game = make_game(args.game)
    rows, hands_played = measure(args, modes, iters)
    partial = hands_played < args.hands
    results = {"game": game.spec.name, "checkpoint": args.checkpoint, "street": args.street, "seed": args.seed,
               "hands": args.hands, "hands_played": hands_played,
               "spots": len({(r["hand"], r["decision"]) for r in rows}), "modes": [m.name for m in modes],
               "iters": iters, "partial": partial,
               **summarize(rows, modes, iters, int(game.rules.big_blind), hands_played)}
    out = write_report(results, args.out, provenance)
    text = (args.out / "report.md").read_text()
    sys.stdout.write((json.dumps(out, default=float) if args.json else text) + "\n")
    return 0
