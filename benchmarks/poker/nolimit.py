"""No-limit hold'em measurements: ``python -m benchmarks.poker lbr|nolimit ...``.

* ``lbr GAME SPEC --hands N``: local best response against one agent (:mod:`agents.arena.lbr`), mbb/hand
  with a 95% interval.
* ``nolimit --checkpoint PATH``: the trade-off at real scale. For each search budget per decision (``--seconds``
  or ``--iters``; 0 = the blueprint itself, ``cfr:``) the agent (``subgame:`` with nested safe solving) is
  measured by LBR and head to head against its own blueprint (duplicate deals, AIVAT with the blueprint as
  value function, :mod:`benchmarks.poker.nolimit_match`), with its mean seconds per searched decision. For
  each blueprint of ``--checkpoints`` (e.g. the checkpoints of one run, or runs with other bucket counts)
  the blueprint alone is measured by LBR and against the ``--checkpoint`` blueprint. Writes report.md,
  report.html, results.json and plots to ``--out`` and, with ``--docs``, the same into ``docs/results/nolimit``.
  Hours of play at real budgets: the hands are played in chunks logged to ``--out/chunks.jsonl`` as they
  finish (:mod:`benchmarks.poker.nolimit_chunks`), round-robin over the rows, so the same command resumes
  after any stop, ``--max-minutes`` ends a session cleanly with a partial report, and ``--report-only``
  writes the report from the log.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from agents.arena.lbr import LBRConfig, LBRResult, paired_stderr_mbb, parse_actions, run_lbr  # noqa: E402
from agents.arena.stats import normal_interval  # noqa: E402
from agents.flags import CliParser  # noqa: E402
from agents.provenance import RunInfo  # noqa: E402
from benchmarks.poker.nolimit_chunks import (ChunkLog, Measure, file_digest, headsup_measure, lbr_measure,  # noqa: E402
                                             pair_scores, run_chunks)
from benchmarks.poker.nolimit_match import summarize  # noqa: E402
from benchmarks.report import Report  # noqa: E402
from games.core import InputError  # noqa: E402
from games.registry import make_game  # noqa: E402
from search.cfr.nl_blueprint import load_checkpoint  # noqa: E402
from search.cfr.nl_nested import ResolveSettings  # noqa: E402

DEFAULT_ESTIMATE = ResolveSettings().estimate

DOCS = Path("docs/results/nolimit")
"""Where ``--docs`` writes the report."""


def _numbers(text: str, kind: type) -> list:
    try:
        values = [kind(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"expected comma-separated numbers; got '{text}'") from None
    if not values or min(values) < 0:
        raise InputError(f"expected non-negative numbers; got '{text}'")
    return values


def agent_spec(checkpoint: str, budget: float, unit: str, street: int, threads: int,
               estimate: float = DEFAULT_ESTIMATE) -> str:
    """The spec measured at one budget: the blueprint for 0, else nested solving with that budget (the
    gadget's estimate weight is written out, so that chunks played under another default are not reused)."""
    if budget == 0:
        return f"cfr:checkpoint={checkpoint}"
    limit = f"seconds={budget:g},iters=100000000" if unit == "seconds" else f"iters={int(budget)},seconds=0"
    return f"subgame:checkpoint={checkpoint},{limit},street={street},threads={threads},estimate={estimate:g}"


def tradeoff(game: str, checkpoint: str, budgets: list[float], unit: str, checkpoints: list[str], lbr_hands: int,
             pairs: int, seed: int, workers: int, config: LBRConfig, street: int = 2, out: Path | None = None,
             deadline: float | None = None, play: bool = True, estimate: float = DEFAULT_ESTIMATE) -> dict[str, Any]:
    """Every row of the trade-off (see the module docstring). The hands are played in chunks logged to
    ``out/chunks.jsonl`` (:mod:`benchmarks.poker.nolimit_chunks`): a re-run resumes, no chunk starts after
    ``deadline``, ``play=False`` only reads the log; the rows hold what is done."""
    threads = 1 if workers > 1 else 2  # part of the searching specs, so of their chunks' keys
    blueprint = agent_spec(checkpoint, 0, unit, street, threads)
    reference = (file_digest(checkpoint),)
    rows: list[dict[str, Any]] = []
    for budget in budgets:
        spec = agent_spec(checkpoint, budget, unit, street, threads, estimate)
        rows.append({"budget": budget, "unit": unit, "spec": spec,
                     "lbr": lbr_measure(game, spec, lbr_hands, seed, config, reference) if lbr_hands else None,
                     "vs_blueprint": headsup_measure(game, spec, blueprint, pairs, seed, checkpoint, reference)
                     if pairs and budget else None})
    sizes: list[dict[str, Any]] = []
    for path in checkpoints:
        spec = agent_spec(path, 0, unit, street, threads)
        files = (file_digest(path),)
        sizes.append({"checkpoint": path, "iterations": load_checkpoint(Path(path))[2].iterations, "spec": spec,
                      "lbr": lbr_measure(game, spec, lbr_hands, seed, config, files) if lbr_hands else None,
                      "vs_reference": headsup_measure(game, spec, blueprint, pairs, seed, checkpoint,
                                                      files + reference) if pairs and path != checkpoint else None})
    measures = [m for row in rows + sizes for m in row.values() if isinstance(m, Measure)]
    log = ChunkLog((out or Path(".")) / "chunks.jsonl")
    missing = run_chunks(measures, log, workers, deadline) if play else len(log.missing(measures))
    base = next((r["lbr"] for r in rows if r["budget"] == 0 and r["lbr"] is not None), None)
    for row in rows:
        if base is not None and row["budget"] and row["lbr"] is not None:
            row["lbr_minus_blueprint"] = lbr_difference(log, row["lbr"], base)
    for row in rows + sizes:
        for name, measure in list(row.items()):
            if measure is None:
                del row[name]
            elif isinstance(measure, Measure):
                result = measure_result(measure, log, workers)
                if result is None:
                    del row[name]
                else:
                    row[name] = result
    return {"game": game, "checkpoint": checkpoint, "unit": unit, "budgets": budgets, "street": street,
            "lbr_hands": lbr_hands, "pairs": pairs, "seed": seed, "workers": workers,
            "lbr_actions": list(config.actions), "chunks_missing": missing, "rows": rows, "blueprints": sizes}


def lbr_difference(log: ChunkLog, a: Measure, b: Measure) -> dict[str, Any] | None:
    """LBR against ``a`` minus LBR against ``b``, hand by hand over the chunks both have. The two runs
    deal the same cards with the same seeds and LBR decides alike until the agents differ (from the
    searched round on), so the difference is far less noisy than either figure: mbb/hand with 95%
    intervals (duplicate pairs as units), plain and all-in EV."""
    diffs: dict[str, list[float]] = {"chips": [], "allin_ev": []}
    for first, count in a.chunks():
        got_a, got_b = log.get(a, first, count), log.get(b, first, count) if b.units == a.units else None
        if got_a is None or got_b is None:
            continue
        for name, values in diffs.items():
            values += [x - y for x, y in zip(got_a[name], got_b[name])]
    if not diffs["chips"]:
        return None
    big_blind = float(make_game(a.game).rules.big_blind)  # type: ignore[attr-defined]
    out: dict[str, Any] = {"hands": len(diffs["chips"]), "planned": a.units,
                           "complete": len(diffs["chips"]) == a.units,
                           "hands_that_differ": int(np.count_nonzero(np.asarray(diffs["chips"])))}
    for name, prefix in (("chips", ""), ("allin_ev", "allin_ev_")):
        mean = 1000.0 * float(np.mean(diffs[name])) / big_blind
        stderr = paired_stderr_mbb(diffs[name], big_blind)
        lo, hi = normal_interval(mean, stderr)
        out.update({f"{prefix}mbb_per_hand": mean, f"ci95_{prefix}mbb_per_hand": [lo, hi],
                    f"stderr_{prefix}mbb_per_hand": stderr})
    return out


def measure_result(measure: Measure, log: ChunkLog, workers: int) -> dict[str, Any] | None:
    """The JSON of one measure from its finished chunks (``done`` of ``planned`` hands or pairs), or None."""
    values, done, seconds = log.collected(measure)
    if not done:
        return None
    if measure.kind == "lbr":
        game = make_game(measure.game)
        big_blind = float(game.rules.big_blind)  # type: ignore[attr-defined]
        out = LBRResult(game.spec.name, measure.spec, done, values["chips"], values["allin_ev"], big_blind, seconds,
                        workers).to_json()
    else:
        out = summarize(make_game(measure.game), measure.spec, measure.opponent, pair_scores(values), measure.seed,
                        seconds, workers)
    progress = {"planned": measure.units, "complete": done == measure.units}
    if "aivat" in out:
        out["aivat"] = {**out["aivat"], "pairs": out["pairs"], **progress}
    return {**out, **progress}


def _ci(entry: dict[str, Any] | None, key: str = "mbb_per_hand") -> str:
    if not entry:
        return "-"
    lo, hi = entry["ci95_" + key]
    text = f"{entry[key]:+.0f} [{lo:+.0f}, {hi:+.0f}]"
    if entry.get("complete") is False:  # a partial row says how much of it is played
        unit = "hands" if "hands" in entry and "pairs" not in entry else "pairs"
        text += f" ({entry[unit]} of {entry['planned']} {unit})"
    return text


def write_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    """report.md / report.html / results.json and the plots."""
    report = Report(f"No-limit hold'em: search budget and blueprint size ({results['game']})")
    unit = results["unit"]
    report.text(f"Blueprint `{results['checkpoint']}`; nested safe subgame solving from round {results['street']} "
                f"(2 = turn) with a budget of {unit} per decision (0 = the blueprint alone). LBR: "
                f"{results['lbr_hands']} hands, actions {'/'.join(results['lbr_actions'])} by round (mbb/hand LBR "
                f"wins, 95% interval; lower is better). Head to head: {results['pairs']} duplicate pairs against "
                f"the blueprint, AIVAT with the blueprint as value function (mbb/hand the agent wins).")
    report.text("LBR is scored by its all-in expected value (a hand all-in before the river scores LBR's "
                "equity against the agent's actual hand over the cards to come: the same mean, less luck; "
                "`agents/arena/lbr.py`); the plain chips are beside it. Every LBR row deals the same cards with "
                "the same seeds, and until the searched round the agent plays its blueprint, so LBR against "
                "search minus LBR against the blueprint, hand by hand, is far less noisy than either: only "
                "hands that reach the searched round can differ.")
    report.table([f"budget ({unit})", "LBR, all-in EV", "LBR, chips", "LBR minus the blueprint's, paired, all-in EV",
                  "vs blueprint, AIVAT", "vs blueprint, chips", "s per searched decision"],
                 [[r["budget"], _ci(r.get("lbr"), "allin_ev_mbb_per_hand"), _ci(r.get("lbr")),
                   _ci(r.get("lbr_minus_blueprint"), "allin_ev_mbb_per_hand"),
                   _ci((r.get("vs_blueprint") or {}).get("aivat")), _ci(r.get("vs_blueprint")),
                   round((r.get("vs_blueprint") or {}).get("a_decision_seconds_mean", 0.0), 3)]
                  for r in results["rows"]])
    if results.get("report_only"):
        report.text("Written from chunks.jsonl by `--report-only`: the same command without it plays the hands.")
    if results.get("chunks_missing"):
        report.text(f"**Partial**: {results['chunks_missing']} chunks are still to play; the rows marked "
                    f"'(n of N)' rest on the hands played so far. The same command resumes from chunks.jsonl.")
    _plot(report, "budget.png", [r["budget"] for r in results["rows"]], results["rows"],
          f"search budget per decision ({unit}; 0 = blueprint)",
          f"Nested subgame solving on {Path(results['checkpoint']).name}")
    if results["blueprints"]:
        report.text("## Blueprint size")
        report.table(["checkpoint", "iterations", "LBR, all-in EV", "vs reference blueprint, AIVAT",
                      "vs reference blueprint, chips"],
                     [[b["checkpoint"], b["iterations"], _ci(b.get("lbr"), "allin_ev_mbb_per_hand"),
                       _ci((b.get("vs_reference") or {}).get("aivat")), _ci(b.get("vs_reference"))]
                      for b in results["blueprints"]])
        _plot(report, "blueprint.png", [b["iterations"] for b in results["blueprints"]], results["blueprints"],
              "blueprint MCCFR iterations", "Blueprint alone, by training iterations")
    return report.write(out, results, provenance)


def _series_value(entry: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The estimate a plot shows: LBR's all-in EV, a head-to-head's AIVAT (its chips without AIVAT)."""
    if key == "lbr":
        return {"mbb_per_hand": entry["allin_ev_mbb_per_hand"], "ci95_mbb_per_hand": entry["ci95_allin_ev_mbb_per_hand"]}
    return entry.get("aivat") or entry


def _plot(report: Report, name: str, xs: list[float], rows: list[dict[str, Any]], label: str, title: str) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    plotted = False
    for key, legend in (("lbr", "LBR, all-in EV (lower is better)"), ("vs_blueprint", "vs blueprint, AIVAT"),
                        ("vs_reference", "vs reference blueprint, AIVAT")):
        points = [(x, _series_value(r[key], key)) for x, r in zip(xs, rows) if r.get(key)]
        if not points:
            continue
        x = [max(p[0], 1e-2) for p in points]
        y = [p[1]["mbb_per_hand"] for p in points]
        err = [[v - p[1]["ci95_mbb_per_hand"][0] for v, p in zip(y, points)],
               [p[1]["ci95_mbb_per_hand"][1] - v for v, p in zip(y, points)]]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=legend)
        plotted = True
    ax.set_xscale("symlog", linthresh=0.1)
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel(label)
    ax.set_ylabel("mbb/hand (95% interval)")
    ax.set_title(title)
    if plotted:
        ax.legend()
    report.figure(name, fig)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m benchmarks.poker", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lbr = sub.add_parser("lbr", help="local best response against a no-limit agent",
                         description="Local best response (Lisy & Bowling 2017) against a no-limit hold'em agent: "
                                     "mbb/hand LBR wins with a 95% interval (a lower bound on exploitability).")
    lbr.add_argument("game", help="e.g. holdem_nolimit or holdem_nolimit(stack=2000)")
    lbr.add_argument("spec", help="agent spec: cfr:checkpoint=PATH, subgame:..., call, fold, strength")
    lbr.add_argument("--hands", type=int, default=1000, help="hands (duplicate pairs of seats; default 1000)")
    nl = sub.add_parser("nolimit", help="LBR and head-to-head against search budget and blueprint size",
                        description="The no-limit trade-off: LBR and head-to-head (duplicate, AIVAT) of the agent "
                                    "against search budget per decision and blueprint size; writes a report.")
    nl.add_argument("--game", default="holdem_nolimit", help="game name with its parameters")
    nl.add_argument("--checkpoint", required=True, help="blueprint checkpoint searched from and played against")
    nl.add_argument("--seconds", default=None, help="budgets in seconds per decision (default 0,0.5,1,2,5)")
    nl.add_argument("--iters", default=None, help="budgets in DCFR iterations per decision instead of seconds")
    nl.add_argument("--checkpoints", default="", help="blueprints of other sizes, comma-separated")
    nl.add_argument("--street", type=int, default=2, help="first round re-solved (default 2, the turn)")
    nl.add_argument("--estimate", type=float, default=DEFAULT_ESTIMATE,
                    help=f"weight of the opponent's estimated range beside the safe gadget (default "
                         f"{DEFAULT_ESTIMATE:g}; 0 = the gadget alone)")
    nl.add_argument("--lbr-hands", type=int, default=1000, help="LBR hands per row (0: none)")
    nl.add_argument("--pairs", type=int, default=500, help="duplicate pairs per head-to-head (0: none)")
    nl.add_argument("--out", type=Path, default=Path("runs/benchmarks/nolimit"), help="report folder")
    nl.add_argument("--docs", action="store_true", help=f"also write the report into {DOCS}")
    nl.add_argument("--max-minutes", type=float, default=0.0,
                    help="start no chunk of hands after this many minutes (0: no limit); the report covers what "
                         "is done and the same command resumes")
    nl.add_argument("--report-only", action="store_true", help="play nothing: write the report from --out/chunks.jsonl")
    for p in (lbr, nl):
        p.add_argument("--seed", type=int, default=0, help="seed of the deals and the agents (default 0)")
        p.add_argument("--workers", type=int, default=2, help="processes (default 2)")
        p.add_argument("--actions", default="fcpa",
                       help="LBR actions by round: letters of f (fold), c (call), h/q/p/d (raise 0.5/0.75/1/2 pots), "
                            "a (all-in); one set for every round (default fcpa, the paper's) or four like "
                            "fc,fcpa,fcpa,fcpa")
        p.add_argument("--runouts", type=int, default=1200, help="LBR equity: runouts enumerated up to this many")
        p.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    provenance = RunInfo.begin("python -m benchmarks.poker", argv)
    args = build_parser().parse_args(argv)
    config = LBRConfig(actions=parse_actions(args.actions), runouts=args.runouts)
    if args.workers < 1:
        raise InputError("--workers must be >= 1")
    if args.command == "lbr":
        out = run_lbr(args.game, args.spec, args.hands, args.seed, args.workers, config).to_json()
        lo, hi = out["ci95_mbb_per_hand"]
        elo, ehi = out["ci95_allin_ev_mbb_per_hand"]
        text = (f"LBR vs {args.spec} on {out['game']}: {out['allin_ev_mbb_per_hand']:+.1f} mbb/hand all-in EV "
                f"(95% [{elo:+.1f}, {ehi:+.1f}]), {out['mbb_per_hand']:+.1f} in chips (95% [{lo:+.1f}, {hi:+.1f}]), "
                f"{out['hands']} hands, {out['seconds']:.1f} s")
    else:
        if args.seconds is not None and args.iters is not None:
            raise InputError("give --seconds or --iters, not both")
        unit = "iterations" if args.iters is not None else "seconds"
        budgets = (_numbers(args.iters, int) if args.iters is not None
                   else _numbers(args.seconds or "0,0.5,1,2,5", float))
        checkpoints = [c for c in args.checkpoints.split(",") if c]
        for path in [args.checkpoint, *checkpoints]:
            load_checkpoint(Path(path))  # a missing or foreign file fails before any work
        if not math.isfinite(args.max_minutes) or args.max_minutes < 0:
            raise InputError(f"--max-minutes must be a number >= 0; got {args.max_minutes}")
        if not (math.isfinite(args.estimate) and args.estimate >= 0):
            raise InputError(f"--estimate must be a number >= 0; got {args.estimate}")
        if args.lbr_hands < 0 or args.lbr_hands == 1 or args.pairs < 0:
            raise InputError(f"--lbr-hands must be 0 or >= 2 and --pairs >= 0; got {args.lbr_hands} and {args.pairs}")
        deadline = time.time() + 60.0 * args.max_minutes if args.max_minutes else None
        results = tradeoff(args.game, args.checkpoint, budgets, unit, checkpoints, args.lbr_hands, args.pairs,
                           args.seed, args.workers, config, args.street, args.out, deadline, not args.report_only,
                           args.estimate)
        results["report_only"] = bool(args.report_only)
        out = write_report(results, args.out, provenance)
        if args.docs:
            DOCS.mkdir(parents=True, exist_ok=True)
            for item in args.out.iterdir():
                shutil.copy2(item, DOCS / item.name)
        out["out"] = str(args.out)
        text = (args.out / "report.md").read_text()
    sys.stdout.write((json.dumps(out, default=float) if args.json else text) + "\n")
    return 0
