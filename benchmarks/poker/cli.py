"""Poker solving benchmarks: ``python -m benchmarks.poker solve|speed|tradeoff|headsup``.

* ``solve GAME --algo dcfr --iters N [--export policy.json]``: exploitability (chips, NashConv/2 as
  open_spiel), mbb/hand (1 chip = the ante = 1 big blind), game value and seconds.
* ``speed [--seconds 10]``: iterations/s of our CFR+ and DCFR on Leduc against open_spiel's C++
  CFRPlusSolver in the same run (``ratio_vs_openspiel_cpp``), exploitability after 1 s and ``--seconds``.
* ``tradeoff``: blueprint iterations x subgame iterations -> exact exploitability (report folder).
* ``agree [--games kuhn_poker,leduc_poker] [--algos cfr+,dcfr] [--checkpoints 10,100,1000]``: our
  exploitability in both floating-point orders against open_spiel's solvers at each checkpoint
  (:mod:`benchmarks.poker.agree`).
* ``leaves [--net PATH] [--exact] [--lookahead]``: depth-limited re-solving with blueprint leaves vs
  value-network leaves vs full depth on Leduc (:mod:`benchmarks.poker.tradeoff`; its own options).
* ``headsup GAME A B --hands N``: a duplicate-deal match between two agent specs (``cfr:…``,
  ``subgame:…``, ``random``, …): mbb/hand with a 95% interval, and on Kuhn/Leduc the exact value.
* ``lbr GAME SPEC --hands N`` and ``nolimit --checkpoint PATH``: no-limit hold'em, local best response and
  the search-budget / blueprint-size trade-off (:mod:`benchmarks.poker.nolimit`; their own options).
* ``spots``: no-limit decisions re-solved (unsafe, safe gadget with an estimate weight) and scored exactly
  against the blueprint over every pair of hands (:mod:`benchmarks.poker.spots`; its own options).
* ``river --agent SPEC``: a river searcher against its blueprint, the duplicate match's expectation
  computed exactly over the cards at each sampled river (:mod:`benchmarks.poker.river_exact`).

``--json`` prints one JSON object whose ``provenance`` (:mod:`agents.provenance`) names the command, the
commit, the package versions and the machine; ``tradeoff`` and ``leaves`` write it into their reports.
Long work (``tradeoff``, ``agree``, ``headsup``, ``leaves``) shows a progress bar on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from agents.flags import CliParser
from agents.provenance import RunInfo
from games.core import InputError
from search.cfr import (ALGORITHMS, RULES, CFRConfig, CFRSolver, expected_value, export_policy, game_tree,
                        mbb_per_hand)
from search.cfr.solver import exploitability


class PokerBenchError(InputError):
    """Bad arguments to the poker benchmark."""


def _ints(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise PokerBenchError(f"expected comma-separated integers; got '{text}'") from None
    if not values or min(values) < 0:
        raise PokerBenchError(f"expected non-negative integers; got '{text}'")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m benchmarks.poker", description=__doc__.split("\n\n``--json``")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve Kuhn or Leduc and report exploitability",
                           description="Solve Kuhn or Leduc poker with a CFR variant: exploitability (chips and "
                                       "mbb/hand), game value and seconds.")
    solve.add_argument("game", help=f"one of {', '.join(sorted(RULES))}")
    solve.add_argument("--algo", default="dcfr", help=f"one of {', '.join(ALGORITHMS)} (default dcfr)")
    solve.add_argument("--iters", type=int, default=1000, help="iterations (default 1000)")
    solve.add_argument("--order", default="tree", choices=["tree", "history"],
                       help="floating-point order: tree (fast, default) or history (open_spiel's, bit-compatible)")
    solve.add_argument("--export", type=Path, default=None, help="write the average strategy as open_spiel JSON")
    speed = sub.add_parser("speed", help="iterations/s vs open_spiel's C++ CFR+ on Leduc",
                           description="Iterations per second of our CFR+ and DCFR on Leduc against open_spiel's C++ "
                                       "CFRPlusSolver measured in the same run (ratio_vs_openspiel_cpp).")
    speed.add_argument("--seconds", type=float, default=10.0, help="solver time per solver (default 10)")
    trade = sub.add_parser("tradeoff", help="blueprint x subgame iterations -> exploitability",
                           description="Blueprint strength x subgame-solving iterations -> the exact exploitability "
                                       "of safe and unsafe re-solving: report.md, report.html, heat maps and "
                                       "results.json in --out.")
    trade.add_argument("--game", default="leduc_poker", help=f"one of {', '.join(sorted(RULES))} (default leduc_poker)")
    trade.add_argument("--blueprints", default="10,30,100,300,1000",
                       help="blueprint iterations, comma-separated (default 10,30,100,300,1000)")
    trade.add_argument("--subgame-iters", default="0,10,100,1000",
                       help="subgame-solving iterations, comma-separated (default 0,10,100,1000)")
    trade.add_argument("--algo", default="dcfr", help=f"one of {', '.join(ALGORITHMS)} (default dcfr)")
    trade.add_argument("--depth", type=int, default=0, help="actions per subgame (0 = to the horizon)")
    trade.add_argument("--horizon", default="game", choices=["game", "round"],
                       help="subgames end at the end of the hand (default) or of the betting round")
    trade.add_argument("--first", type=int, default=1, help="actions the blueprint plays first (default 1)")
    trade.add_argument("--every", action="store_true", help="re-solve at every decision, not only round starts")
    trade.add_argument("--out", type=Path, default=Path("runs/benchmarks/poker_tradeoff"), help="report folder")
    heads = sub.add_parser("headsup", help="duplicate-deal match of two agents: mbb/hand with a 95%% interval",
                           description="A duplicate-deal match of agent A against agent B: mbb/hand with a 95%% "
                                       "interval over pairs, and on Kuhn/Leduc between tabular agents the exact value "
                                       "and the AIVAT estimate.")
    heads.add_argument("game", help="kuhn_poker, leduc_poker or holdem_limit")
    heads.add_argument("a", help="agent spec A (the one scored)")
    heads.add_argument("b", help="agent spec B")
    heads.add_argument("--hands", type=int, default=2000, help="hands, played as duplicate pairs (default 2000)")
    heads.add_argument("--seed", type=int, default=0, help="seed of the deals and the agents (default 0)")
    sub.add_parser("leaves", help="blueprint vs value-network leaves (see python -m benchmarks.poker leaves --help)",
                   add_help=False)
    sub.add_parser("lbr", help="no-limit hold'em: local best response against an agent (see python -m "
                               "benchmarks.poker lbr --help)", add_help=False)
    sub.add_parser("spots", help="no-limit hold'em: re-solving single decisions, scored exactly against the "
                                 "blueprint (see python -m benchmarks.poker spots --help)", add_help=False)
    sub.add_parser("river", help="no-limit hold'em: river search against its blueprint, the match's expectation "
                                 "computed exactly over the cards (see python -m benchmarks.poker river --help)",
                   add_help=False)
    sub.add_parser("nolimit", help="no-limit hold'em: search budget and blueprint size against LBR and head to "
                                   "head (see python -m benchmarks.poker nolimit --help)", add_help=False)
    agr = sub.add_parser("agree", help="our CFR+/DCFR against open_spiel's solvers at checkpoints",
                         description="Exploitability of our CFR+ and DCFR, in both floating-point orders, against "
                                     "open_spiel's solvers at each checkpoint: relative gaps and agreeing digits.")
    agr.add_argument("--games", default="kuhn_poker,leduc_poker", help="comma-separated games")
    agr.add_argument("--algos", default="cfr+,dcfr", help="cfr+ (vs C++ CFRPlusSolver) and/or dcfr (vs Python DCFR)")
    agr.add_argument("--checkpoints", default="10,100,1000", help="iterations at which to compare")
    for p in (solve, speed, trade, heads, agr):
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
    config = CFRConfig(args.algo, order=args.order)
    CFRSolver(tree, config).run(1)  # compile outside the clock
    solver = CFRSolver(tree, config)
    start = time.perf_counter()
    solver.run(args.iters)
    seconds = time.perf_counter() - start
    avg = solver.average_strategy()
    expl = exploitability(tree, avg)
    out = {"game": args.game, "algo": args.algo, "order": args.order, "iterations": args.iters, "exploitability": expl,
           "nash_conv": 2 * expl, "mbb_per_hand": mbb_per_hand(expl), "game_value": expected_value(tree, avg),
           "seconds": seconds, "iters_per_s": args.iters / max(seconds, 1e-12)}
    if args.export is not None:
        out["export"] = str(args.export)
        out["infostates"] = export_policy(tree, avg, args.export)
    return out


def cmd_headsup(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.poker.headsup import DECK, headsup

    if args.game not in DECK:
        raise PokerBenchError(f"unsupported game '{args.game}' for headsup (supported: {', '.join(sorted(DECK))})")
    if args.hands < 4:
        raise PokerBenchError(f"--hands must be >= 4 (two duplicate pairs); got {args.hands}")
    return headsup(args.game, args.a, args.b, args.hands, args.seed, progress=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["leaves"]:
        from benchmarks.poker.tradeoff import main as leaves_main

        return leaves_main(argv[1:])
    if argv[:1] == ["spots"]:
        from benchmarks.poker.spots import main as spots_main

        return spots_main(argv[1:])
    if argv[:1] == ["river"]:
        from benchmarks.poker.river_exact import main as river_main

        return river_main(argv[1:])
    if argv[:1] in (["lbr"], ["nolimit"]):
        from benchmarks.poker.nolimit import main as nolimit_main

        return nolimit_main(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    if args.command == "solve":
        out = cmd_solve(args)
        text = (f"{out['game']} {out['algo']} {out['iterations']} iterations: "
                f"exploitability {out['exploitability']:.6g} chips ({out['mbb_per_hand']:.4g} mbb/hand), "
                f"game value {out['game_value']:.6f}, {out['seconds']:.3f} s")
    elif args.command == "speed":
        from benchmarks.poker.speed import speed_benchmark

        if args.seconds <= 0:
            raise PokerBenchError("--seconds must be > 0")
        out = speed_benchmark(args.seconds)
        text = "\n".join(
            f"{k}: {out[k]['iters_per_s']:.1f} it/s, exploitability {out[k]['exploitability_at']}"
            + (f", {out[k]['ratio_vs_openspiel_cpp']:.0f}x open_spiel C++" if k != "openspiel_cpp_cfr_plus" else "")
            for k in ("openspiel_cpp_cfr_plus", "cfr+", "dcfr"))
    elif args.command == "tradeoff":
        from benchmarks.poker.tradeoff import progress_bar, tradeoff, write_tradeoff_report

        _check_game(args.game)
        _check_algo(args.algo)
        if args.first < 0 or args.depth < 0:
            raise PokerBenchError("--first and --depth must be >= 0")
        blueprints, subgame_iters = _ints(args.blueprints), _ints(args.subgame_iters)
        if min(blueprints) < 1:
            raise PokerBenchError(f"--blueprints must be >= 1; got '{args.blueprints}'")
        with progress_bar(2 * len(blueprints) * len(subgame_iters), "tradeoff") as bar:
            out = tradeoff(args.game, blueprints, subgame_iters, args.algo, args.depth, args.horizon, args.first,
                           args.every, bar=bar)
        out = write_tradeoff_report(out, args.out, provenance)
        out["out"] = str(args.out)
        text = f"safe never worse: {out['safe_never_worse']}; report: {args.out / 'report.md'}"
    elif args.command == "agree":
        from benchmarks.poker.agree import format_agree, run_agree

        games, algos = [g for g in args.games.split(",") if g], [a for a in args.algos.split(",") if a]
        for g in games:
            _check_game(g)
        for a in algos:
            if a not in ("cfr+", "dcfr"):
                raise PokerBenchError(f"--algos: open_spiel references exist for cfr+ and dcfr; got '{a}'")
        checkpoints = _ints(args.checkpoints)
        if min(checkpoints) < 1:
            raise PokerBenchError("--checkpoints must be >= 1")
        out = run_agree(games, algos, checkpoints, progress=True)
        text = format_agree(out)
    else:
        out = cmd_headsup(args)
        lo, hi = out["ci95_mbb_per_hand"]
        text = (f"{out['a']} vs {out['b']} on {out['game']}: {out['mbb_per_hand']:+.1f} mbb/hand "
                f"(95% [{lo:+.1f}, {hi:+.1f}], {out['hands']} hands, duplicate)")
        if "exact_mbb_per_hand" in out:
            text += f"; exact {out['exact_mbb_per_hand']:+.2f} mbb/hand"
    out.setdefault("provenance", provenance.to_json())
    sys.stdout.write((json.dumps(out, default=float) if args.json else text) + "\n")
    return 0

