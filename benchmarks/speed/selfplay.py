"""Self-play throughput on Ray: positions/s (per worker too) and games/s for 1, 2, ... worker actors, with
each worker's own network or one shared inference actor, and scaling.

``python -m benchmarks.speed selfplay [--game connect_four] [--config FILE] [--init CKPT] [--workers 1,2]
[--modes local,shared] [--seconds S] [--sims N] [--games-per-worker G] [--blocks B] [--channels C]
[--json]``; every field of :class:`selfplay.core.SelfPlayConfig`, :class:`agents.nets.core.NetConfig` and
:class:`selfplay.core.InferenceConfig` (``--inference-threads``, ...) is a flag (``--sims`` is
``--simulations``; :mod:`agents.flags`). ``--config`` takes a training config (``configs/chess.json``):
its self-play, network, inference and ``init`` settings are the base the flags override; ``--init``
loads a checkpoint's weights and network (``--game chess --init models/chess/checkpoints/011485.pt``).

Each worker actor is the one training uses (:class:`selfplay.actors.SelfPlayWorkerHost`, batched MCTS;
``local``: its own network on one thread, ONNX Runtime or torch by ``--inference-backend``; ``shared``: leaf batches sent to one
:class:`selfplay.actors.InferenceHost`) and sends its finished games to a replay-buffer actor. After a
warm-up call per worker (process start, numba cache, first network call), workers play for ``S``
seconds in calls of ``--steps-per-call`` moves of every game; calls still running at the deadline are
waited for and counted. The reference is one in-process worker (no Ray, its own network) measured in the
same run: ``ratio_vs_inprocess`` per worker count; ``scaling_efficiency`` = positions/s with the most
workers / (workers x positions/s with the fewest, per worker); with both modes, ``ratio_shared_vs_local``
per worker count.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.core import NetConfig
from games.cli import run_cli
from games.core import InputError
from selfplay.backend import resolve
from selfplay.core import InferenceConfig, ReplayConfig, SelfPlayConfig, TrainConfig, with_init_network

MODES = ("local", "shared")


def build_config(args: argparse.Namespace) -> TrainConfig:
    """The measured config: ``--config`` (or the defaults) with the flags given, and ``--init``'s network."""
    base = TrainConfig(game=args.game or "connect_four")
    if args.config:
        try:
            data = json.loads(Path(args.config).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise InputError(f"cannot read config '{args.config}': {err}") from None
        data.setdefault("game", args.game or "connect_four")
        base = TrainConfig.from_dict(data)
        if args.game and base.game != args.game:
            raise InputError(f"config '{args.config}' is for game '{base.game}', not '{args.game}'")
    config = TrainConfig(
        game=base.game, seed=args.seed, init=base.init if args.init is None else args.init,
        network=from_flags(NetConfig, args, base=base.network),
        selfplay=from_flags(SelfPlayConfig, args, base=base.selfplay),
        inference=from_flags(InferenceConfig, args, prefix="inference.", base=base.inference),
        replay=ReplayConfig(capacity=100_000, min_positions=1))
    return with_init_network(config)


def measure_inprocess(cfg: TrainConfig, seconds: float) -> dict[str, float]:
    """One worker in this process, no Ray, its own network (the workers' backend): the reference."""
    import torch

    from agents.nets.core import build_network
    from games.registry import make_game
    from selfplay.actors import starting_weights
    from selfplay.backend import make_evaluator
    from selfplay.worker import SelfPlayWorker

    torch.set_num_threads(1)
    game = make_game(cfg.game)
    evaluator = make_evaluator(build_network(cfg.network, game.spec), game, backend=cfg.inference.backend)
    with tempfile.TemporaryDirectory() as empty:
        start = starting_weights(cfg, empty)
    if start is not None:
        evaluator.load_weights(start[0])
    worker = SelfPlayWorker(game, cfg.selfplay, evaluator, seed=cfg.seed)
    worker.play_step()  # warm-up
    moves0, games0, evals0 = worker.positions_played, worker.games_finished, evaluator.evaluations
    begin = time.perf_counter()
    while time.perf_counter() - begin < seconds:
        worker.play_step()
    return _rates(worker.positions_played - moves0, worker.games_finished - games0, evaluator.evaluations - evals0,
                  time.perf_counter() - begin, 1)


def _rates(moves: int, games: int, evaluations: int, seconds: float, workers: int) -> dict[str, float]:
    return {"positions": moves, "games": games, "evaluations": evaluations, "seconds": seconds,
            "positions_per_s": moves / seconds, "positions_per_s_per_worker": moves / seconds / workers,
            "games_per_s": games / seconds, "evaluations_per_s": evaluations / seconds}


def measure_ray(cfg: TrainConfig, workers: int, run_dir: str, seconds: float, steps_per_call: int) -> dict[str, Any]:
    """``workers`` worker actors (and, in shared mode, their inference actor) playing for ``seconds``
    (after a warm-up call each)."""
    import ray

    from selfplay.actors import make_buffer_actor, make_inference_actor, make_worker_actor

    cfg = dataclasses.replace(cfg, workers=workers)
    buffer, name = make_buffer_actor(cfg)
    inference, inference_name = (make_inference_actor(cfg, run_dir) if cfg.inference.mode == "shared"
                                 else (None, ""))
    actors = [make_worker_actor(cfg, run_dir, i, name, num_cpus=1, inference_name=inference_name)
              for i in range(workers)]
    try:
        ray.get([a.play.remote([], 0, 1, 1) for a in actors])  # warm-up: one move of every game
        before = ray.get(inference.stats.remote()) if inference is not None else None
        start = time.perf_counter()
        inflight = {a.play.remote([], 0, 1, steps_per_call): a for a in actors}
        moves = games = evaluations = 0
        while inflight:
            ready, _ = ray.wait(list(inflight), num_returns=1)
            actor = inflight.pop(ready[0])
            out = ray.get(ready[0])
            moves += out["moves"]
            games += out["games"]
            evaluations += out["evaluations"]
            if time.perf_counter() - start < seconds:
                inflight[actor.play.remote([], 0, 1, steps_per_call)] = actor
        result: dict[str, Any] = _rates(moves, games, evaluations, time.perf_counter() - start, workers)
        if inference is not None:
            after = ray.get(inference.stats.remote())
            passes = after["forward_passes"] - before["forward_passes"]
            result["requests_per_pass"] = (after["requests"] - before["requests"]) / passes if passes else 0.0
        return result
    finally:
        for a in [*actors, buffer, *([inference] if inference is not None else [])]:
            ray.kill(a, no_restart=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = CliParser(prog="python -m benchmarks.speed selfplay", description=__doc__.split("\n\n")[0])
    p.add_argument("--game", help="registered game (default: the config's, else connect_four)")
    p.add_argument("--config", help="training config JSON (configs/chess.json): self-play, network, inference, init")
    p.add_argument("--init", help="checkpoint whose weights (and network) the workers use")
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    p.add_argument("--modes", help="comma-separated inference modes to measure: local, shared (default: the "
                                   "config's --inference-mode)")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per worker count (default 10)")
    p.add_argument("--steps-per-call", type=int, default=4, help="moves of every game per worker call (default 4)")
    p.add_argument("--seed", type=int, default=0, help="seed of the self-play games (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_flags(p.add_argument_group("self-play"), SelfPlayConfig, aliases={"simulations": ["--sims"]})
    add_flags(p.add_argument_group("network"), NetConfig)
    add_flags(p.add_argument_group("inference"), InferenceConfig, prefix="inference.")
    return p.parse_args(argv)


def _counts(text: str) -> list[int]:
    try:
        counts = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise InputError(f"--workers must be comma-separated integers; got '{text}'") from None
    if not counts or counts[0] < 1:
        raise InputError("need --workers >= 1")
    return counts


def _modes(text: str | None, cfg: TrainConfig) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()] if text else [cfg.inference.mode]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise InputError(f"--modes takes local and/or shared; got '{text}'")
    return list(dict.fromkeys(modes))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    counts = _counts(args.workers)
    if not args.seconds > 0 or args.steps_per_call < 1:
        raise InputError("need --seconds > 0 and --steps-per-call >= 1")
    cfg = build_config(args)
    modes = _modes(args.modes, cfg)
    from games.registry import make_game

    make_game(cfg.game).require(num_players=(1, 2), perfect_information=True, chance=False, what="self-play")
    import ray

    from selfplay.local_ray import init_ray

    reference = measure_inprocess(cfg, args.seconds)
    os.environ.setdefault("RAY_worker_niceness", "0")  # workers compete on equal terms with the in-process reference
    init_ray(address="local", num_cpus=max(counts), include_dashboard=False, log_to_driver=False)
    by_mode: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as run_dir:
            for mode in modes:
                mode_cfg = dataclasses.replace(cfg, inference=dataclasses.replace(cfg.inference, mode=mode))
                by_mode[mode] = {}
                for n in counts:
                    r = measure_ray(mode_cfg, n, run_dir, args.seconds, args.steps_per_call)
                    r["ratio_vs_inprocess"] = r["positions_per_s"] / reference["positions_per_s"]
                    by_mode[mode][str(n)] = r
    finally:
        ray.shutdown()
    out = summarize(cfg, counts, modes, reference, by_mode)
    print(json.dumps(out) if args.json else render(out, counts, modes))
    return 0


def summarize(cfg: TrainConfig, counts: list[int], modes: list[str], reference: dict[str, float],
              by_mode: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The JSON object: settings, the reference, results by mode (``workers``: the first mode's)."""
    lo, hi = str(counts[0]), str(counts[-1])
    first = by_mode[modes[0]]
    efficiency = (first[hi]["positions_per_s"] / counts[-1]) / (first[lo]["positions_per_s"] / counts[0])
    net, sp = cfg.network, cfg.selfplay
    out: dict[str, Any] = {
        "game": cfg.game, "sims": sp.simulations, "fast_sims": sp.fast_simulations,
        "full_search_prob": sp.full_search_prob, "games_per_worker": sp.games_per_worker,
        "leaves_per_eval": sp.leaves_per_eval, "network": f"{net.kind} {net.blocks}x{net.channels}",
        "backend": resolve(cfg.inference.backend, cfg.inference.device),
        "init": cfg.init, "cpus": os.cpu_count(), "load_average": list(os.getloadavg()), "modes": modes,
        "inprocess": reference, "workers": first, "by_mode": by_mode, "scaling_efficiency": efficiency}
    if "local" in by_mode and "shared" in by_mode:
        out["ratio_shared_vs_local"] = {n: by_mode["shared"][n]["positions_per_s"] / by_mode["local"][n]["positions_per_s"]
                                        for n in by_mode["local"]}
    return out


def render(out: dict[str, Any], counts: list[int], modes: list[str]) -> str:
    ref = out["inprocess"]
    lines = [f"self-play {out['game']}: {out['sims']} sims (fast {out['fast_sims']}), {out['games_per_worker']} "
             f"games/worker, {out['leaves_per_eval']} leaves/eval, {out['network']} on {out['backend']}"
             + (f" from {out['init']}" if out["init"] else ""),
             f"  in-process (reference): {ref['positions_per_s']:.1f} positions/s, {ref['evaluations_per_s']:.0f} "
             f"evaluations/s, {ref['games_per_s']:.2f} games/s"]
    for mode in modes:
        for n in counts:
            r = out["by_mode"][mode][str(n)]
            extra = f", {r['requests_per_pass']:.2f} requests/pass" if "requests_per_pass" in r else ""
            lines.append(f"  {mode} {n} worker(s): {r['positions_per_s']:.1f} positions/s "
                         f"({r['positions_per_s_per_worker']:.1f} per worker), {r['evaluations_per_s']:.0f} "
                         f"evaluations/s, {r['games_per_s']:.2f} games/s, "
                         f"ratio_vs_inprocess {r['ratio_vs_inprocess']:.2f}{extra}")
    lines.append(f"  scaling efficiency {counts[0]}->{counts[-1]} workers ({modes[0]}): {out['scaling_efficiency']:.2f}")
    for n, ratio in out.get("ratio_shared_vs_local", {}).items():
        lines.append(f"  shared vs local, {n} worker(s): {ratio:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(run_cli(main))
