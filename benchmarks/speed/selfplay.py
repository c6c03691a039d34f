"""Self-play throughput on Ray: games/s and positions/s for 1, 2, ... worker actors, and scaling.

``python -m benchmarks.speed selfplay [--game connect_four] [--workers 1,2] [--seconds S] [--sims N]
[--games-per-worker G] [--blocks B] [--channels C] [--json]``; every field of
:class:`selfplay.core.SelfPlayConfig` and :class:`agents.nets.core.NetConfig` is a flag (``--sims`` is
``--simulations``; :mod:`agents.flags`).

Each worker actor is the one training uses (:class:`selfplay.actors.SelfPlayWorkerHost`, batched MCTS
with a torch network on one thread) and sends its finished games to a replay-buffer actor. After a
warm-up call per worker (process start, numba cache, first network call), workers play for ``S``
seconds; calls still running at the deadline are waited for and counted. The reference is one
in-process worker (no Ray) measured in the same run: ``ratio_vs_inprocess`` per worker count, and
``scaling_efficiency`` = positions/s with the most workers / (workers x positions/s with the fewest,
per worker).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any, Sequence

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.core import NetConfig
from games.cli import run_cli
from games.core import InputError
from selfplay.core import ReplayConfig, SelfPlayConfig, TrainConfig


def _config(args: argparse.Namespace, workers: int) -> Any:
    return TrainConfig(game=args.game, workers=workers, seed=args.seed, network=from_flags(NetConfig, args),
                       selfplay=from_flags(SelfPlayConfig, args), replay=ReplayConfig(capacity=100_000, min_positions=1))


def measure_inprocess(args: argparse.Namespace) -> dict[str, float]:
    """One worker in this process, no Ray: the reference."""
    import torch

    from agents.nets.core import build_network
    from agents.nets.evaluator import TorchEvaluator
    from games.registry import make_game
    from selfplay.worker import SelfPlayWorker

    torch.set_num_threads(1)
    cfg = _config(args, 1)
    game = make_game(cfg.game)
    worker = SelfPlayWorker(game, cfg.selfplay, TorchEvaluator(build_network(cfg.network, game.spec)), seed=cfg.seed)
    worker.play_step()  # warm-up
    moves0, games0 = worker.positions_played, worker.games_finished
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        worker.play_step()
    seconds = time.perf_counter() - start
    return _rates(worker.positions_played - moves0, worker.games_finished - games0, seconds)


def _rates(moves: int, games: int, seconds: float) -> dict[str, float]:
    return {"positions": moves, "games": games, "seconds": seconds,
            "positions_per_s": moves / seconds, "games_per_s": games / seconds}


def measure_ray(args: argparse.Namespace, workers: int, run_dir: str) -> dict[str, float]:
    """``workers`` worker actors playing for ``args.seconds`` (after a warm-up call each)."""
    import ray

    from selfplay.actors import make_buffer_actor, make_worker_actor

    cfg = _config(args, workers)
    buffer, name = make_buffer_actor(cfg)
    actors = [make_worker_actor(cfg, run_dir, i, name, num_cpus=1) for i in range(workers)]
    try:
        ray.get([a.play.remote([], 0) for a in actors])  # warm-up
        start = time.perf_counter()
        inflight = {a.play.remote([], 0): a for a in actors}
        moves = games = 0
        while inflight:
            ready, _ = ray.wait(list(inflight), num_returns=1)
            actor = inflight.pop(ready[0])
            out = ray.get(ready[0])
            moves += out["moves"]
            games += out["games"]
            if time.perf_counter() - start < args.seconds:
                inflight[actor.play.remote([], 0)] = actor
        return _rates(moves, games, time.perf_counter() - start)
    finally:
        for a in actors:
            ray.kill(a, no_restart=True)
        ray.kill(buffer, no_restart=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = CliParser(prog="python -m benchmarks.speed selfplay", description=__doc__.split("\n\n")[0])
    p.add_argument("--game", default="connect_four")
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per worker count (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_flags(p.add_argument_group("self-play"), SelfPlayConfig, aliases={"simulations": ["--sims"]})
    add_flags(p.add_argument_group("network"), NetConfig)
    args = p.parse_args(argv)
    try:
        counts = sorted({int(x) for x in args.workers.split(",") if x.strip()})
    except ValueError:
        raise InputError(f"--workers must be comma-separated integers; got '{args.workers}'") from None
    if not counts or counts[0] < 1 or not args.seconds > 0:
        raise InputError("need --workers >= 1 and --seconds > 0")
    from games.registry import make_game

    make_game(args.game).require(num_players=(1, 2), perfect_information=True, chance=False, what="self-play")
    cfg = _config(args, 1)  # validates the self-play and network flags
    import ray

    reference = measure_inprocess(args)
    os.environ.setdefault("RAY_worker_niceness", "0")  # workers compete on equal terms with the in-process reference
    ray.init(address="local", num_cpus=max(counts), include_dashboard=False, log_to_driver=False)
    results: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as run_dir:
            for n in counts:
                r = measure_ray(args, n, run_dir)
                r["ratio_vs_inprocess"] = r["positions_per_s"] / reference["positions_per_s"]
                results[str(n)] = r
    finally:
        ray.shutdown()
    lo, hi = counts[0], counts[-1]
    efficiency = (results[str(hi)]["positions_per_s"] / hi) / (results[str(lo)]["positions_per_s"] / lo)
    net = cfg.network
    out = {"game": args.game, "sims": cfg.selfplay.simulations, "games_per_worker": cfg.selfplay.games_per_worker,
           "network": f"{net.kind} {net.blocks}x{net.channels}", "cpus": os.cpu_count(),
           "inprocess": reference, "workers": results, "scaling_efficiency": efficiency}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"self-play {args.game}: {out['sims']} sims, {out['games_per_worker']} games/worker, {out['network']}")
        print(f"  in-process (reference): {reference['positions_per_s']:.1f} positions/s, {reference['games_per_s']:.2f} games/s")
        for n in counts:
            r = results[str(n)]
            print(f"  {n} worker(s): {r['positions_per_s']:.1f} positions/s, {r['games_per_s']:.2f} games/s, "
                  f"ratio_vs_inprocess {r['ratio_vs_inprocess']:.2f}")
        print(f"  scaling efficiency {lo}->{hi} workers: {efficiency:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
