"""Poker solving benchmarks: ``python -m benchmarks.poker solve|speed|tradeoff|headsup``.

* ``solve GAME --algo dcfr --iters N [--export policy.json]``: exploitability (chips, NashConv/2 as
  open_spiel), mbb/hand (1 chip = the ante = 1 big blind), game value and seconds.
* ``speed [--seconds 10]``: iterations/s of our CFR+ and DCFR on Leduc against open_spiel's C++
  CFRPlusSolver in the same run (``ratio_vs_openspiel_cpp``), exploitability after 1 s and ``--seconds``.
* ``tradeoff``: blueprint iterations x subgame iterations -> exact exploitability (report folder).
* ``headsup``: exact chips/hand of a re-solving strategy against its blueprint (both seats).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from games.cli import run_cli
from games.core import InputError
from search.cfr import (ALGORITHMS, RULES, CFRConfig, CFRSolver, ResolveConfig, expected_value, export_policy,
                        game_tree, mbb_per_hand, resolved_strategy)
from search.cfr.solver import exploitability


class PokerBenchError(InputError):
    """Bad arguments to the poker benchmark."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit with status 2 and usage; keep one line
        raise PokerBenchError(message)


def _ints(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise PokerBenchError(f"expected comma-separated integers; got '{text}'") from None
    if not values or min(values) < 0:
        raise PokerBenchError(f"expected non-negative integers; got '{text}'")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m benchmarks.poker", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve Kuhn or Leduc and report exploitability")
    solve.add_argument("game", help=f"one of {', '.join(sorted(RULES))}")
    solve.add_argument("--algo", default="dcfr", help=f"one of {', '.join(ALGORITHMS)} (default dcfr)")
    solve.add_argument("--iters", type=int, default=1000, help="iterations (default 1000)")
    solve.add_argument("--export", type=Path, default=None, help="write the average strategy as open_spiel JSON")
    speed = sub.add_parser("speed", help="iterations/s vs open_spiel's C++ CFR+ on Leduc")
    speed.add_argument("--seconds", type=float, default=10.0, help="solver time per solver (default 10)")
    trade = sub.add_parser("tradeoff", help="blueprint x subgame iterations -> exploitability")
    trade.add_argument("--game", default="leduc_poker")
    trade.add_argument("--blueprints", default="10,30,100,300,1000", help="blueprint iterations")
    trade.add_argument("--subgame-iters", default="0,10,100,1000", help="subgame-solving iterations")
    trade.add_argument("--algo", default="dcfr")
    trade.add_argument("--depth", type=int, default=0, help="actions per subgame (0 = end of round)")
    trade.add_argument("--out", type=Path, default=Path("runs/benchmarks/poker_tradeoff"), help="report folder")
    heads = sub.add_parser("headsup", help="exact chips/hand of subgame solving against its blueprint")
    heads.add_argument("--game", default="leduc_poker")
    heads.add_argument("--blueprint", type=int, default=30, help="blueprint iterations (default 30)")
    heads.add_argument("--iters", type=int, default=1000, help="subgame iterations (default 1000)")
    heads.add_argument("--algo", default="dcfr")
    heads.add_argument("--unsafe", action="store_true", help="unsafe re-solving")
    for p in (solve, speed, trade, heads):
        p.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _check_game(name: str) -> None:
    if name not in RULES:
        raise PokerBenchError(f"unknown or unsupported game '{name}' (supported: {', '.join(sorted(RULES))})")


def _check_algo(name: str) -> None:
    if name not in ALGORITHMS:
        raise PokerBenchError(f"unknown algorithm '{name}' (known: {', '.join(ALGORITHMS)})")


def cmd_solve(args: argparse.Namespace) -> dict[str, Any]:
    _check_game(args.game)
    _check_algo(args.algo)
    if args.iters < 1:
        raise PokerBenchError(f"--iters must be >= 1; got {args.iters}")
    tree = game_tree(args.game)
    CFRSolver(tree, CFRConfig(args.algo)).run(1)  # compile outside the clock
    solver = CFRSolver(tree, CFRConfig(args.algo))
    start = time.perf_counter()
    solver.run(args.iters)
    seconds = time.perf_counter() - start
    avg = solver.average_strategy()
    expl = exploitability(tree, avg)
    out = {"game": args.game, "algo": args.algo, "iterations": args.iters, "exploitability": expl,
           "nash_conv": 2 * expl, "mbb_per_hand": mbb_per_hand(expl), "game_value": expected_value(tree, avg),
           "seconds": seconds, "iters_per_s": args.iters / max(seconds, 1e-12)}
    if args.export is not None:
        out["export"] = str(args.export)
        out["infostates"] = export_policy(tree, avg, args.export)
    return out


def cmd_headsup(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.poker_tradeoff import heads_up_value

    _check_game(args.game)
    _check_algo(args.algo)
    tree = game_tree(args.game)
    solver = CFRSolver(tree, CFRConfig(args.algo))
    solver.run(max(args.blueprint, 1))
    bp = solver.average_strategy()
    strategy, stats = resolved_strategy(tree, bp, ResolveConfig(iterations=args.iters, algo=args.algo,
                                                                safe=not args.unsafe))
    chips = heads_up_value(tree, strategy, bp)
    return {"game": args.game, "blueprint_iters": args.blueprint, "subgame_iters": args.iters,
            "safe": not args.unsafe, "chips_per_hand": chips, "mbb_per_hand": mbb_per_hand(chips),
            "exploitability": exploitability(tree, strategy), "blueprint_exploitability": exploitability(tree, bp),
            "accepted": stats.accepted}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "solve":
        out = cmd_solve(args)
        text = (f"{out['game']} {out['algo']} {out['iterations']} iterations: "
                f"exploitability {out['exploitability']:.6g} chips ({out['mbb_per_hand']:.4g} mbb/hand), "
                f"game value {out['game_value']:.6f}, {out['seconds']:.3f} s")
    elif args.command == "speed":
        from benchmarks.poker_speed import speed_benchmark

        if args.seconds <= 0:
            raise PokerBenchError("--seconds must be > 0")
        out = speed_benchmark(args.seconds)
        text = "\n".join(
            f"{k}: {out[k]['iters_per_s']:.1f} it/s, exploitability {out[k]['exploitability_at']}"
            + (f", {out[k]['ratio_vs_openspiel_cpp']:.0f}x open_spiel C++" if k != "openspiel_cpp_cfr_plus" else "")
            for k in ("openspiel_cpp_cfr_plus", "cfr+", "dcfr"))
    elif args.command == "tradeoff":
        from benchmarks.poker_tradeoff import tradeoff, write_tradeoff_report

        _check_game(args.game)
        _check_algo(args.algo)
        out = tradeoff(args.game, _ints(args.blueprints), _ints(args.subgame_iters), args.algo, args.depth)
        write_tradeoff_report(out, args.out)
        out["out"] = str(args.out)
        text = f"safe never worse: {out['safe_never_worse']}; report: {args.out / 'report.md'}"
    else:
        out = cmd_headsup(args)
        text = (f"re-solving vs blueprint: {out['chips_per_hand']:+.5f} chips/hand ({out['mbb_per_hand']:+.2f} "
                f"mbb/hand); exploitability {out['exploitability']:.5g} vs {out['blueprint_exploitability']:.5g}")
    sys.stdout.write((json.dumps(out, default=float) if args.json else text) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
