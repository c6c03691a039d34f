"""Chess at compiled speed, against references measured in the same run.

``python -m benchmarks.speed chess [--device cpu|cuda] [--backend auto|torch|onnx|cuda] [--net CKPT]
[--quick] [--json] [--out DIR]``:

* **perft** of the start position (depth 5) and Kiwipete (depth 4) on the compiled core, against
  python-chess's legal-move generation (depths 4 and 3: the same bulk counting at the last ply), and
  the start position at depth 6 against Stockfish's own ``go perft`` (its process start-up subtracted):
  Stockfish is the ceiling;
* **MCTS, one random rollout per leaf**, ours against open_spiel's C++ ``MCTSBot`` on the same positions
  and budget (CPU seconds; :mod:`benchmarks.speed.mcts` does the timing);
* **MCTS, material evaluator**: the compiled core against the python-chess path kept as the reference
  (``MCTSConfig(compiled=False)``: the same tree, replayed through python-chess);
* **MCTS with the shipped network**: simulations/s at one leaf per call against the network alone on
  single positions (same backend; the two timed in turn, position by position, twice over, and the
  ratio is the median of the per-position ratios), and at 64 trees x 8 leaves the share of time spent outside the
  forward pass.

Every rate is a median over the positions' runs; ratios are named ``ratio_*``.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import chess
import numpy as np

from agents.flags import CliParser
from agents.core import AgentError
from agents.provenance import RunInfo
from agents.nets.backends import BACKENDS, network_evaluator, resolve_backend
from agents.stockfish import find_stockfish
from benchmarks.report import Report
from benchmarks.speed.mcts import make_positions, time_openspiel, time_ours
from games.chess.perft import perft
from games.cli import run_cli
from games.core import InputError, State
from games.registry import make_game
from search.evaluators import MaterialEvaluator, RolloutEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

KIWIPETE = "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"
PERFT_CASES = ((chess.STARTING_FEN, 5, 4), (KIWIPETE, 4, 3))
"""(FEN, depth for the compiled core and Stockfish, depth for python-chess)."""
CEILING_CASE = (chess.STARTING_FEN, 6)
"""The Stockfish comparison also runs one deeper perft (119M nodes), so that its start-up, subtracted,
is a small part of its time (at depth 5 Stockfish finishes in milliseconds and the ratio is noise)."""
DEFAULT_NET = Path(__file__).resolve().parents[2] / "models" / "chess" / "checkpoints" / "011485.pt"
"""The shipped distilled network."""


class ChessSpeedError(InputError):
    """A bad option of the chess speed benchmark."""


def python_chess_perft(board: chess.Board, depth: int) -> int:
    """Perft with python-chess, counting the legal moves one ply above the leaves (bulk counting)."""
    if depth <= 1:
        return board.legal_moves.count() if depth == 1 else 1
    total = 0
    for move in board.legal_moves:
        board.push(move)
        total += python_chess_perft(board, depth - 1)
        board.pop()
    return total


def _timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    nodes = fn()
    return nodes, time.perf_counter() - start


def stockfish_perft(engine: str, fen: str, depth: int) -> tuple[int, float]:
    """(nodes, seconds) of Stockfish's ``go perft depth`` on ``fen``, its start-up time subtracted."""
    def run(commands: str) -> tuple[str, float]:
        start = time.perf_counter()
        done = subprocess.run([engine], input=commands, capture_output=True, text=True, timeout=600, check=True)
        return done.stdout, time.perf_counter() - start

    _, idle = run("uci\nisready\nquit\n")
    out, busy = run(f"uci\nisready\nposition fen {fen}\ngo perft {depth}\nquit\n")
    nodes = next(int(line.split(":")[1]) for line in out.splitlines() if line.startswith("Nodes searched"))
    return nodes, max(busy - idle, 1e-6)


def measure_perft(stockfish: str | None) -> dict[str, Any]:
    """Perft rates of the compiled core, python-chess and (when installed) Stockfish."""
    perft(chess.Board(), 2)  # compile
    ours = [0, 0.0]
    ref = [0, 0.0]
    sf, deep = [0, 0.0], [0, 0.0]
    for fen, depth, py_depth in PERFT_CASES:
        nodes, seconds = _timed(lambda: perft(fen, depth))
        ours[0] += nodes
        ours[1] += seconds
        nodes, seconds = _timed(lambda: python_chess_perft(chess.Board(fen), py_depth))
        ref[0] += nodes
        ref[1] += seconds
    if stockfish:
        fen, depth = CEILING_CASE
        for target, measure in ((deep, lambda: _timed(lambda: perft(fen, depth))),
                                (sf, lambda: stockfish_perft(stockfish, fen, depth))):
            nodes, seconds = measure()
            target[0] += nodes
            target[1] += seconds
    result: dict[str, Any] = {
        "perft_nodes_per_s": ours[0] / ours[1],
        "python_chess_perft_nodes_per_s": ref[0] / ref[1],
        "perft_cases": [{"fen": fen, "depth": d, "python_chess_depth": p} for fen, d, p in PERFT_CASES],
    }
    result["ratio_perft_vs_python_chess"] = result["perft_nodes_per_s"] / result["python_chess_perft_nodes_per_s"]
    if stockfish:
        result["stockfish_perft_nodes_per_s"] = sf[0] / sf[1]
        result["perft_nodes_per_s_depth6"] = deep[0] / deep[1]
        result["ratio_perft_vs_stockfish"] = result["perft_nodes_per_s_depth6"] / result["stockfish_perft_nodes_per_s"]
    return result


def _states(positions: list[list[int]]) -> list[State]:
    game = make_game("chess")
    out = []
    for moves in positions:
        state = game.new_state()
        for m in moves:
            state.apply(m)
        out.append(state)
    return out


def measure_rollout_mcts(positions: list[list[int]], sims: int, seed: int) -> dict[str, Any]:
    """Ours against open_spiel C++ MCTSBot, one random rollout per leaf, CPU seconds."""
    ours_s, ours_n, _ = time_ours("chess", positions, sims, RolloutEvaluator(seed=seed), seed)
    cpp_s, cpp_n = time_openspiel("chess", positions, sims, seed, python=False)
    rate, cpp = ours_n / ours_s, cpp_n / cpp_s
    return {"mcts_rollout_sims_per_s": rate, "openspiel_cpp_sims_per_s": cpp, "ratio_vs_openspiel_cpp": rate / cpp,
            "rollout_sims_per_search": sims}


def _search_rate(states: list[State], config: MCTSConfig, evaluator: Any) -> float:
    game = make_game("chess")
    done, seconds = 0, 0.0
    for state in states:
        mcts = BatchedMCTS(game, config, evaluator)
        start = time.process_time()
        done += mcts.search([state])[0].simulations
        seconds += time.process_time() - start
    return done / seconds


def measure_material_mcts(states: list[State], sims: int, reference_sims: int) -> dict[str, Any]:
    """Compiled material MCTS against the python-chess path (same evaluator, same tree)."""
    evaluator = MaterialEvaluator()
    _search_rate(states[:1], MCTSConfig(num_simulations=50), evaluator)  # compile
    rate = _search_rate(states, MCTSConfig(num_simulations=sims), evaluator)
    ref = _search_rate(states, MCTSConfig(num_simulations=reference_sims, compiled=False), evaluator)
    return {"mcts_material_sims_per_s": rate, "python_chess_material_sims_per_s": ref,
            "ratio_material_vs_python_chess": rate / ref}


class _Stopwatch:
    """Wraps an evaluator and adds up the seconds spent inside it."""

    def __init__(self, evaluator: Any) -> None:
        self.evaluator, self.seconds, self.calls = evaluator, 0.0, 0

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start = time.perf_counter()
        out = self.evaluator(observations, legal_mask)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return out


def measure_network(states: list[State], net: Path, backend: str, sims: int, trees: int,
                    leaves: int) -> dict[str, Any]:
    """Network MCTS at batch 1 against the network alone, and the non-network share at trees x leaves."""
    game = make_game("chess")
    evaluator = network_evaluator(net, game, backend=backend)
    obs = np.stack([s.observation() for s in states])
    mask = np.stack([s.legal_action_mask() for s in states])
    for i in range(3):  # warm-up: the backend's first calls, numba's compile
        evaluator(obs[i % len(obs)][None], mask[i % len(obs)][None])
    BatchedMCTS(game, MCTSConfig(num_simulations=16), evaluator).search([states[0]])
    # Interleaved, position by position: the network alone on the position's observation, then the search
    # from it, so that a burst of load from elsewhere hits both sides of a ratio alike; medians over positions.
    reps = max(200, sims)
    net_rates, search_rates = [], []
    for rep in range(2):
        for i, state in enumerate(states):
            start = time.perf_counter()
            for _ in range(reps):
                evaluator(obs[i][None], mask[i][None])
            net_rates.append(reps / (time.perf_counter() - start))
            mcts = BatchedMCTS(game, MCTSConfig(num_simulations=sims), evaluator)
            start = time.perf_counter()
            done = mcts.search([state])[0].simulations
            search_rates.append(done / (time.perf_counter() - start))
    net_only = float(np.median(net_rates))
    batch1 = float(np.median(search_rates))
    ratio = float(np.median(np.array(search_rates) / np.array(net_rates)))
    watch = _Stopwatch(evaluator)
    roots = [states[i % len(states)] for i in range(trees)]
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=leaves * 8, leaves_per_eval=leaves), watch, num_trees=trees)
    mcts.search(roots)  # warm-up at this batch size
    mcts.reset()
    watch.seconds = 0.0
    start = time.perf_counter()
    summaries = mcts.search(roots)
    total = time.perf_counter() - start
    return {
        "backend": backend, "net": str(net), "net_sims_per_s_batch1": batch1,
        "network_only_evals_per_s_batch1": net_only, "ratio_net_sims_vs_network_only_batch1": ratio,
        "non_network_share_batch64": 1.0 - watch.seconds / total,
        "batch64_trees": trees, "batch64_leaves_per_eval": leaves,
        "batch64_sims_per_s": sum(s.simulations for s in summaries) / total,
    }


def _format(r: dict[str, Any]) -> str:
    lines = [f"perft: {r['perft_nodes_per_s']:,.0f} nodes/s; python-chess {r['python_chess_perft_nodes_per_s']:,.0f} "
             f"(ratio {r['ratio_perft_vs_python_chess']:.0f}x)"]
    if "stockfish_perft_nodes_per_s" in r:
        lines[-1] += f"; Stockfish {r['stockfish_perft_nodes_per_s']:,.0f} (ours {r['ratio_perft_vs_stockfish']:.2f}x)"
    if "mcts_rollout_sims_per_s" in r:
        lines.append(f"MCTS rollout: {r['mcts_rollout_sims_per_s']:,.0f} sims/s; open_spiel C++ "
                     f"{r['openspiel_cpp_sims_per_s']:,.0f} (ratio {r['ratio_vs_openspiel_cpp']:.1f}x)")
    if "mcts_material_sims_per_s" in r:
        lines.append(f"MCTS material: {r['mcts_material_sims_per_s']:,.0f} sims/s; python-chess path "
                     f"{r['python_chess_material_sims_per_s']:,.0f} (ratio {r['ratio_material_vs_python_chess']:.0f}x)")
    if "net_sims_per_s_batch1" in r:
        lines.append(f"network ({r['backend']}): MCTS {r['net_sims_per_s_batch1']:,.0f} sims/s at batch 1; network "
                     f"alone {r['network_only_evals_per_s_batch1']:,.0f} evals/s (ratio "
                     f"{r['ratio_net_sims_vs_network_only_batch1']:.2f}); outside the forward pass at "
                     f"{r['batch64_trees']} trees x {r['batch64_leaves_per_eval']} leaves: "
                     f"{r['non_network_share_batch64']:.1%}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (``argv`` without the program name)."""
    parser = CliParser(prog="python -m benchmarks.speed chess", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="where the network runs (cuda: the CUDA backend, fp16)")
    parser.add_argument("--backend", default="auto", help=f"network backend ({', '.join(BACKENDS)}); auto: best "
                                                          "for the device")
    parser.add_argument("--net", default=str(DEFAULT_NET), help="chess checkpoint (default: the shipped network)")
    parser.add_argument("--positions", type=int, default=4, help="search positions (start + random openings)")
    parser.add_argument("--quick", action="store_true", help="small budgets (a smoke run, not a measurement)")
    parser.add_argument("--no-network", action="store_true", help="skip the network figures")
    parser.add_argument("--seed", type=int, default=0, help="seed of the positions and playouts (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write report.md, report.html and results.json (with provenance) here")
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    if args.positions < 1:
        raise ChessSpeedError(f"--positions must be >= 1; got {args.positions}")
    backend = "cuda" if args.device == "cuda" and args.backend == "auto" else args.backend
    if not args.no_network:
        backend = resolve_backend(backend)
        if not Path(args.net).is_file():
            raise ChessSpeedError(f"--net: no checkpoint at {args.net}")
    try:
        stockfish: str | None = find_stockfish(None)
    except AgentError:
        stockfish = None
    positions = make_positions("chess", args.positions, args.seed)
    states = _states(positions)
    quick = args.quick
    result: dict[str, Any] = {"device": args.device, "quick": quick, "positions": len(positions)}
    if quick:
        result["perft_nodes_per_s"] = perft(chess.Board(), 3) / max(_timed(lambda: perft(chess.Board(), 3))[1], 1e-9)
        ref_nodes, ref_s = _timed(lambda: python_chess_perft(chess.Board(), 2))
        result["python_chess_perft_nodes_per_s"] = ref_nodes / ref_s
        result["ratio_perft_vs_python_chess"] = result["perft_nodes_per_s"] / result["python_chess_perft_nodes_per_s"]
    else:
        result.update(measure_perft(stockfish))
    result.update(measure_rollout_mcts(positions, 20 if quick else 400, args.seed))
    result.update(measure_material_mcts(states, 500 if quick else 50_000, 20 if quick else 400))
    if not args.no_network:
        result.update(measure_network(states, Path(args.net), backend, 16 if quick else 400,
                                      4 if quick else 64, 2 if quick else 8))
    print(json.dumps(result) if args.json else _format(result))
    if args.out is not None:
        report = Report("Chess speed: the compiled core against its references")
        report.text("Every ratio is against a reference measured in the same run.\n\n```\n" + _format(result) + "\n```")
        report.table(["key", "value"], [[k, v] for k, v in result.items()])
        report.write(args.out, result, provenance)
        print(f"report: {args.out / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
