"""``python -m benchmarks.adaptive GAME``: Elo against mean simulations per move, fixed and adaptive budgets.

The ladder: for every budget N of ``--sims``, a fixed-budget agent ``mcts:sims=N,eval=...`` and an adaptive
one (``...,adaptive=1``: smart pruning and longer thinking when unsure, :mod:`search.mcts.adaptive`). They
meet the same opponents, the fixed agents of neighbouring budgets: fixed N plays fixed N/next budget, and
adaptive N plays fixed N and its neighbours. All games are rated together (Bradley-Terry,
:mod:`benchmarks.elo`), the smallest fixed budget anchored at 0. The simulations per move are measured, not
nominal: each agent replays the positions of some of its own recorded games (its own tree reuse included,
every recorded move observed) and counts the simulations its searches ran.

The headline: "adaptive N reaches the Elo of fixed F with F / m x fewer mean simulations" (m: adaptive N's
measured mean), F interpolated on the fixed line linearly in log simulations; ``ratio_vs_fixed`` is the
geometric mean of those ratios over the adaptive points that fall inside the fixed line's Elo range. The
ratio's interval maps the adaptive point's 95% Elo interval through the fixed line (the fixed line's own
error is not included). Writes ``report.md``, ``report.html``, ``elo_vs_sims.png``, ``results.json`` and
the games (``games.jsonl``, resumable) into ``--out``.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from agents.flags import CliParser
from agents.mcts import MCTSAgent
from agents.provenance import RunInfo
from agents.arena.records import GameRecord
from agents.registry import make_agent
from agents.arena.stats import score_of
from benchmarks.elo import fit_elo, games_from_results
from games.cli import run_cli
from games.core import CHANCE, Game, InputError
from games.registry import make_game


class AdaptiveBenchError(InputError):
    """Bad options of the adaptive-thinking benchmark."""


def ladder_specs(sims: Sequence[int], evaluator: str, adaptive: str = "adaptive=1") -> tuple[list[str], list[str]]:
    """Fixed and adaptive agent specs, one of each per budget (``evaluator``: rollout, uniform, material or
    net:PATH; ``adaptive``: the options that make an agent adaptive)."""
    if evaluator.startswith("net:"):
        leaf = f"net={evaluator[4:]}"
    elif evaluator in ("rollout", "uniform", "material"):
        leaf = f"eval={evaluator}"
    else:
        raise AdaptiveBenchError(f"--eval must be rollout, uniform, material or net:PATH; got '{evaluator}'")
    fixed = [f"mcts:sims={n},{leaf}" for n in sims]
    if "adaptive=1" not in adaptive.split(","):
        raise AdaptiveBenchError(f"--adaptive must include adaptive=1; got '{adaptive}'")
    return fixed, [f"{spec},{adaptive}" for spec in fixed]


def ladder_pairings(fixed: Sequence[str], adaptive: Sequence[str], games: int) -> list[Any]:
    """Fixed neighbours play each other; adaptive i plays fixed i-1, i, i+1 (the same opponents as fixed i,
    plus fixed i itself)."""
    from benchmarks.tournament import Pairing

    pairings = [Pairing(fixed[i], fixed[i + 1], games) for i in range(len(fixed) - 1)]
    for i, spec in enumerate(adaptive):
        pairings += [Pairing(spec, fixed[j], games) for j in (i - 1, i, i + 1) if 0 <= j < len(fixed)]
    return pairings


def start_state(game: Game, record: GameRecord) -> Any:
    """The state a record's game started from."""
    if record.start is not None:
        return game.state_from_string(record.start)
    return game.new_state(np.random.default_rng(record.seed))


def measure_simulations(game: Game, spec: str, records: Sequence[GameRecord], max_games: int,
                        seed: int = 0) -> tuple[float, int, float]:
    """Mean simulations per move of ``spec`` over the positions it faced in (up to ``max_games`` of) its
    recorded games, replayed with every recorded move observed (so tree reuse is as in play).
    Returns (mean simulations, moves measured, mean seconds per move)."""
    mine = [r for r in records if spec in r.specs]
    mine = mine[::max(1, len(mine) // max_games)][:max_games]  # spread over the spec's pairings
    if mine:  # warm-up (compiled code loaded) so that the timings are the search's own
        make_agent(spec, game, seed).act(start_state(game, mine[0]))
    agent = make_agent(spec, game, seed)
    if not isinstance(agent, MCTSAgent):
        raise AdaptiveBenchError(f"'{spec}' is not an mcts agent")
    for record in mine:
        agent.reset()
        state = start_state(game, record)
        for action, player in zip(record.actions, record.players):
            if player != CHANCE and record.specs[player] == spec:
                agent.act(state)
            agent.observe(state, int(action))
            state.apply(int(action))
    agent.close()
    return agent.mean_simulations, agent.searches, agent.seconds / max(agent.searches, 1)


def fixed_equivalent(points: Sequence[tuple[float, float]], elo: float) -> float | None:
    """Simulations at which the fixed line (``(mean sims, Elo)`` points) reaches ``elo``, interpolated
    linearly in log simulations on the first segment that spans it; None outside the line's range."""
    line = sorted(points)
    for (s0, e0), (s1, e1) in zip(line, line[1:]):
        if min(e0, e1) <= elo <= max(e0, e1):
            if e1 == e0:
                return s0
            x = math.log(s0) + (elo - e0) * (math.log(s1) - math.log(s0)) / (e1 - e0)
            return math.exp(x)
    if len(line) == 1 and line[0][1] == elo:
        return line[0][0]
    return None


def _ratio(points: Sequence[tuple[float, float]], elo: float, sims: float) -> float | None:
    equivalent = fixed_equivalent(points, elo)
    return None if equivalent is None else equivalent / sims


def run_panel(game_name: str, sims: Sequence[int], evaluator: str, games_per_pair: int, out: Path, *,
              adaptive: str = "adaptive=1", workers: int = 2, seed: int = 0, opening_plies: int = 2,
              measure_games: int = 8, progress: bool = True) -> dict[str, Any]:
    """Play the ladder, rate it, measure simulations per move; returns the results (see module doc)."""
    from benchmarks.tournament import play_schedule

    game = make_game(game_name)
    fixed, adaptive_specs = ladder_specs(sims, evaluator, adaptive)
    records = play_schedule(game_name, ladder_pairings(fixed, adaptive_specs, games_per_pair), out,
                            workers=workers, seed=seed, opening_plies=opening_plies, progress=progress)
    fit = fit_elo(games_from_results((r.specs[0], r.specs[1], score_of(r.returns)) for r in records),
                  {fixed[0]: 0.0})
    rows: dict[str, list[dict[str, Any]]] = {"fixed": [], "adaptive": []}
    for kind, specs in (("fixed", fixed), ("adaptive", adaptive_specs)):
        for n, spec in zip(sims, specs):
            mean, moves, seconds = measure_simulations(game, spec, records, measure_games, seed)
            rating = fit.ratings[spec]
            rows[kind].append({"spec": spec, "nominal_sims": n, "mean_sims": mean, "moves_measured": moves,
                               "ms_per_move": 1000.0 * seconds,
                               "elo": rating.elo, "ci95": list(rating.ci95), "games": rating.games,
                               "score": rating.score})
    line = [(r["mean_sims"], r["elo"]) for r in rows["fixed"]]
    ratios = []
    for r in rows["adaptive"]:
        r["fixed_equivalent_sims"] = fixed_equivalent(line, r["elo"])
        r["ratio_vs_fixed"] = _ratio(line, r["elo"], r["mean_sims"])
        r["ratio_ci95"] = [_ratio(line, r["ci95"][0], r["mean_sims"]), _ratio(line, r["ci95"][1], r["mean_sims"])]
        if r["ratio_vs_fixed"] is not None:
            ratios.append(r["ratio_vs_fixed"])
    overall = float(np.exp(np.mean(np.log(ratios)))) if ratios else None
    return {"game": game.spec.name, "eval": evaluator, "adaptive_options": adaptive, "sims": list(sims),
            "games_per_pair": games_per_pair,
            "opening_plies": opening_plies, "seed": seed, "anchor": fixed[0], "games": len(records),
            "first_move_advantage": fit.advantage, "measure_games": measure_games, "fixed": rows["fixed"],
            "adaptive": rows["adaptive"], "ratio_vs_fixed": overall, "ratio_points": len(ratios)}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def write_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    """``report.md``, ``report.html``, ``elo_vs_sims.png`` and ``results.json`` in ``out``; returns the
    results as written (with ``provenance``)."""
    import matplotlib.pyplot as plt

    from benchmarks.report import Report

    report = Report(f"Adaptive thinking on {results['game']}: Elo against mean simulations per move")
    headline = ("no adaptive point falls inside the fixed line's Elo range" if results["ratio_vs_fixed"] is None
                else f"adaptive budgets reach the Elo of fixed budgets with {results['ratio_vs_fixed']:.2f}x fewer "
                     f"mean simulations per move (geometric mean over {results['ratio_points']} point(s))")
    report.text(f"Evaluator {results['eval']}; adaptive agents: {results['adaptive_options']}; "
                f"{results['games']} games ({results['games_per_pair']} per pairing, "
                f"{results['opening_plies']} random opening plies); Bradley-Terry fit over all games, "
                f"{results['anchor']} anchored at 0; 95% intervals. Simulations per move measured by replaying "
                f"up to {results['measure_games']} recorded games per agent (ms / move: the search's wall time there, "
                f"the rule's checks included). Result: {headline}.")
    header = ["agent", "nominal sims", "mean sims", "ms / move", "Elo", "95% interval", "games"]
    for kind in ("fixed", "adaptive"):
        report.text(f"## {kind} budgets")
        extra = ["fixed-equivalent sims", "ratio", "ratio 95%"] if kind == "adaptive" else []
        table = []
        for r in results[kind]:
            row = [r["spec"], r["nominal_sims"], round(r["mean_sims"], 1), round(r["ms_per_move"], 2),
                   round(r["elo"], 1), f"[{r['ci95'][0]:.0f}, {r['ci95'][1]:.0f}]", r["games"]]
            if kind == "adaptive":
                lo, hi = r["ratio_ci95"]
                row += [_fmt(r["fixed_equivalent_sims"], 1), _fmt(r["ratio_vs_fixed"]), f"[{_fmt(lo)}, {_fmt(hi)}]"]
            table.append(row)
        report.table(header + extra, table)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kind, style in (("fixed", "o-"), ("adaptive", "s--")):
        xs = [r["mean_sims"] for r in results[kind]]
        ys = [r["elo"] for r in results[kind]]
        err = np.array([[r["elo"] - r["ci95"][0] for r in results[kind]],
                        [r["ci95"][1] - r["elo"] for r in results[kind]]])
        ax.errorbar(xs, ys, yerr=err, fmt=style, capsize=3, label=kind)
        for x, y, r in zip(xs, ys, results[kind]):
            ax.annotate(str(r["nominal_sims"]), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("mean simulations per move (measured)")
    ax.set_ylabel(f"Elo ({results['anchor']} = 0)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    report.figure("elo_vs_sims.png", fig)
    return report.write(out, results, provenance)


def _sims(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise AdaptiveBenchError(f"--sims must be comma-separated integers; got '{text}'") from None
    if len(set(values)) < 2 or min(values) < 1:
        raise AdaptiveBenchError(f"--sims needs at least two distinct budgets >= 1; got '{text}'")
    return sorted(set(values))


def main(argv: Sequence[str] | None = None) -> int:
    parser = CliParser(prog="python -m benchmarks.adaptive", description=__doc__.split("\n\n")[0])
    parser.add_argument("game", help="a two-player game, e.g. connect_four")
    parser.add_argument("--sims", default="50,100,200,400", help="nominal budgets (default 50,100,200,400)")
    parser.add_argument("--eval", default="rollout", help="rollout | uniform | material | net:PATH")
    parser.add_argument("--adaptive", default="adaptive=1",
                        help="options of the adaptive agents (default adaptive=1; e.g. adaptive=1,max_extend=1)")
    parser.add_argument("--games-per-pair", type=int, default=40, help="games per pairing (default 40)")
    parser.add_argument("--out", type=Path, default=Path("runs/bench-adaptive"), help="report and games folder")
    parser.add_argument("--workers", type=int, default=2, help="game processes (default 2)")
    parser.add_argument("--opening-plies", type=int, default=2, help="random plies before each pair of games")
    parser.add_argument("--measure-games", type=int, default=8, help="games replayed per agent to count sims")
    parser.add_argument("--seed", type=int, default=0, help="seed of games, openings and agents (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    sims = _sims(args.sims)
    if args.games_per_pair < 1 or args.measure_games < 1:
        raise AdaptiveBenchError("--games-per-pair and --measure-games must be >= 1")
    from benchmarks.game_runner import GameFailedError

    try:
        results = run_panel(args.game, sims, args.eval, args.games_per_pair, args.out, adaptive=args.adaptive,
                            workers=args.workers,
                            seed=args.seed, opening_plies=args.opening_plies, measure_games=args.measure_games,
                            progress=not args.json and sys.stderr.isatty())
    except GameFailedError as err:
        sys.stderr.write(f"error: {err}\n  finished games are in {args.out}; re-run to resume\n")
        return 1
    results = write_report(results, args.out, provenance)
    if args.json:
        print(json.dumps(results))
        return 0
    for kind in ("fixed", "adaptive"):
        for r in results[kind]:
            print(f"{kind:8s} {r['nominal_sims']:6d} nominal {r['mean_sims']:8.1f} mean sims  "
                  f"Elo {r['elo']:7.1f} [{r['ci95'][0]:.0f}, {r['ci95'][1]:.0f}]"
                  + (f"  ratio {_fmt(r['ratio_vs_fixed'])}" if kind == "adaptive" else ""))
    print(f"ratio_vs_fixed: {_fmt(results['ratio_vs_fixed'])}")
    print(f"report: {args.out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
