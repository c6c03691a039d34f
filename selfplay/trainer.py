"""The training loop on Ray: a replay-buffer actor, N worker actors and the learner in this process.

Workers each have exactly one ``play`` call in flight (collected with ``ray.wait``); each call plays
until a game ends and sends the finished games to the buffer. The learner samples from the buffer,
trains, publishes weights with one ``ray.put`` every ``publish_every`` steps, writes numbered
checkpoints atomically and logs ``metrics.jsonl`` lines and TensorBoard events
(:class:`selfplay.training.MetricsWriter`; a resumed run first drops what a killed run logged past its
checkpoint). A worker that dies is
restarted by Ray (rebuilt from config + newest checkpoint); its lost call is simply submitted again.

A new run with ``config.init`` starts from that checkpoint's weights (step 0, fresh optimizer; the
checkpoints name it as their parent). With shared inference (``config.inference.mode == "shared"``) one
inference actor evaluates for every worker and gets each published version of the weights.
Each log line also reports how games ended: the shares of each termination (resignation, adjudicated
draw, checkmate, ...), the mean game length and the false-positive rates of resignation and draw
adjudication measured on check games. With ``resign_target_false_positives`` set, each log line also
recalibrates the resignation threshold from the buffer's check games (:mod:`selfplay.resign`); the next
``play`` call of every worker carries it, and ``metrics.jsonl`` logs it as ``resign_threshold``.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import ray
from ray.exceptions import ActorUnavailableError, RayActorError

from agents.nets.checkpoint import latest_checkpoint, load_checkpoint
from games.registry import make_game
from selfplay.actors import make_buffer_actor, make_inference_actor, make_worker_actor
from selfplay.core import TrainConfig
from selfplay.learner import Learner
from selfplay.training import CheckpointCadence, MetricsWriter, Progress, finite_or_none, last_logged

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Budget:
    """When training stops: at a learner step (absolute, counting resumed steps) and/or a wall time."""

    steps: int | None = None
    """Stop once the learner reaches this step."""
    minutes: float | None = None
    """Stop after this many minutes of this run."""


class Trainer:
    """Runs one training run in ``run_dir`` (``ray.init`` must have been called).

    Args:
        config: the run's configuration.
        run_dir: folder for ``config.json``, ``metrics.jsonl``, TensorBoard events and ``checkpoints/``.
        resume: continue from the newest checkpoint of ``run_dir``.
        on_step: called as ``on_step(trainer)`` after every learner step (tests use it to kill workers).
        progress: show a tqdm progress bar.
    """

    def __init__(self, config: TrainConfig, run_dir: str | Path, *, resume: bool = False,
                 on_step: Callable[["Trainer"], None] | None = None, progress: bool = True) -> None:
        self.config, self.run_dir = config, Path(run_dir)
        self.on_step, self.progress = on_step, progress
        game = make_game(config.game)
        self.learner = Learner(config.game, game.spec, config.network, config.learner, seed=config.seed)
        newest = latest_checkpoint(self.run_dir) if resume else None
        if newest is not None:
            self.learner.restore(load_checkpoint(newest))
            log.info("resumed from %s at step %d", newest, self.learner.step)
        elif config.init:
            self.learner.initialize(load_checkpoint(config.init))
            log.info("new run from the weights of %s", self.learner.parent)
        self.start_step = self.learner.step
        self.run_dir.mkdir(parents=True, exist_ok=True)
        config.save(self.run_dir / "config.json")
        self.worker_failures = 0
        self.games_by_worker = [0] * config.workers
        self.positions_this_run = 0
        self.moves_this_run = 0
        self.workers: list[Any] = []
        self.buffer: Any = None
        self.inference: Any = None
        """The shared inference actor (shared inference only)."""
        self.resign_threshold = config.selfplay.resign_threshold
        """The threshold the workers play with: fixed, or calibrated at each log line (:mod:`selfplay.resign`);
        a resumed run goes on with the last one it logged up to its checkpoint."""
        if newest is not None and config.selfplay.resign_target_false_positives > 0:
            self.resign_threshold = last_logged(self.run_dir / "metrics.jsonl", "resign_threshold",
                                                self.learner.step, self.resign_threshold)

    # ----- the loop ------------------------------------------------------------------------------
    def run(self, budget: Budget) -> dict[str, Any]:
        """Train until the budget is spent; returns a summary (steps, games, samples, speeds, paths)."""
        cfg = self.config
        start = time.monotonic()
        self.buffer, buffer_name = make_buffer_actor(cfg)
        weights_ref = ray.put(self.learner.weights())
        version = self.learner.step
        inference_name = ""
        if cfg.inference.mode == "shared":
            self.inference, inference_name = make_inference_actor(cfg, self.run_dir)
            self.inference.load_weights.remote(weights_ref, version)
        self.workers = [make_worker_actor(cfg, self.run_dir, i, buffer_name, cfg.worker_cpus, inference_name)
                        for i in range(cfg.workers)]
        inflight = {w.play.remote([weights_ref], version, resign_threshold=self.resign_threshold): i
                    for i, w in enumerate(self.workers)}
        writer = MetricsWriter(self.run_dir, start_step=self.start_step)
        by_steps = budget.steps is not None
        total = budget.steps - self.learner.step if budget.steps is not None else 60.0 * (budget.minutes or 0.0)
        bar = Progress(total, desc=f"train {cfg.game}", unit="step" if by_steps else "s", disable=not self.progress)
        cadence = CheckpointCadence(every=cfg.learner.checkpoint_every)
        losses: list[dict[str, float]] = []
        last_ckpt = None
        try:
            while not self._done(budget, start):
                wait_s = 0.0 if self._can_train() else 0.5
                ready, _ = ray.wait(list(inflight), num_returns=1, timeout=wait_s)
                for ref in ready:
                    i = inflight.pop(ref)
                    self._collect(ref, i)
                    inflight[self.workers[i].play.remote([weights_ref], version,
                                                         resign_threshold=self.resign_threshold)] = i
                if not self._can_train():
                    continue
                batch = ray.get(self.buffer.sample.remote(cfg.learner.batch_size))
                self.learner.set_progress(self._progress(budget, start))
                losses.append(self.learner.train_step(batch))
                step = self.learner.step
                position = step - self.start_step if by_steps else time.monotonic() - start
                bar.advance_to(position, loss=losses[-1]["loss"])
                if step % cfg.learner.publish_every == 0:
                    weights_ref, version = ray.put(self.learner.weights()), step
                    if self.inference is not None:
                        self.inference.load_weights.remote(weights_ref, version)
                if step % cfg.learner.log_every == 0:
                    self._log(losses, writer, start)
                    losses = []
                if cadence.due(step):
                    last_ckpt = self.learner.save(self.run_dir)
                if self.on_step is not None:
                    self.on_step(self)
            if losses:
                self._log(losses, writer, start)
            if cadence.final_due(self.learner.step, None if last_ckpt is None else int(last_ckpt.stem)):
                last_ckpt = self.learner.save(self.run_dir)
            stats = ray.get(self.buffer.stats.remote())
        finally:
            bar.close()
            writer.close()
            for actor in [*self.workers, self.buffer, *([self.inference] if self.inference is not None else [])]:
                ray.kill(actor, no_restart=True)
        seconds = time.monotonic() - start
        return {"game": cfg.game, "run_dir": str(self.run_dir), "checkpoint": str(last_ckpt),
                "start_step": self.start_step, "steps": self.learner.step, "games": self.learner.selfplay_games,
                "samples": self.learner.samples, "positions_this_run": self.positions_this_run,
                "moves_per_second": self.moves_this_run / seconds if seconds else 0.0,
                "seconds": seconds, "worker_failures": self.worker_failures,
                "games_by_worker": list(self.games_by_worker), **game_endings(stats)}

    def _done(self, budget: Budget, start: float) -> bool:
        if budget.steps is not None and self.learner.step >= budget.steps:
            return True
        return budget.minutes is not None and time.monotonic() - start >= 60.0 * budget.minutes

    def _progress(self, budget: Budget, start: float) -> float:
        """Fraction of the run's budget spent (the learning-rate schedule's clock): the larger of the step
        fraction and the wall-time fraction; a resumed run counts the training time before it."""
        fractions = [0.0]
        if budget.steps is not None and budget.steps > 0:
            fractions.append(self.learner.step / budget.steps)
        if budget.minutes is not None:
            before = self.learner.seconds_before
            total = before + 60.0 * budget.minutes
            fractions.append((before + time.monotonic() - start) / total if total > 0 else 1.0)
        return min(1.0, max(fractions))

    def _can_train(self) -> bool:
        cfg = self.config
        if self.positions_this_run < cfg.replay.min_positions:
            return False
        ratio = cfg.learner.max_replay_ratio
        steps = self.learner.step - self.start_step + 1
        return ratio == 0 or steps * cfg.learner.batch_size <= ratio * self.positions_this_run

    def _collect(self, ref: Any, worker_id: int) -> None:
        """Add a finished worker call's counters; a dead worker (Ray restarts it) only counts a failure."""
        try:
            out = ray.get(ref)
        except (RayActorError, ActorUnavailableError) as err:
            self.worker_failures += 1
            log.warning("worker %d failed (%s); Ray restarts it", worker_id, type(err).__name__)
            return
        self.learner.selfplay_games += out["games"]
        self.games_by_worker[worker_id] += out["games"]
        self.learner.samples += out["positions"]
        self.learner.selfplay_evaluations += out["evaluations"]
        self.positions_this_run += out["positions"]
        self.moves_this_run += out["moves"]

    def _log(self, losses: list[dict[str, float]], writer: MetricsWriter, start: float) -> None:
        seconds = time.monotonic() - start
        record: dict[str, Any] = {"lr": self.learner.lr}
        for key in losses[0] if losses else []:
            record[key] = sum(x[key] for x in losses) / len(losses)
        meta = self.learner.metadata()
        buffer = ray.get(self.buffer.stats.remote())
        if self.config.selfplay.resign_target_false_positives > 0:
            self.resign_threshold = ray.get(self.buffer.resign_threshold.remote(self.resign_threshold))
        record.update(resign_threshold=self.resign_threshold)
        record.update(buffer_size=buffer["size"], **game_endings(buffer))
        record.update(games=meta.selfplay_games, samples=meta.samples, wall_seconds=meta.wall_seconds,
                      compute_flops=meta.compute_flops, worker_failures=self.worker_failures,
                      moves_per_second=self.moves_this_run / seconds if seconds else 0.0)
        writer.write(self.learner.step, record)
        log.info("step %d loss %.4f games %d samples %d moves/s %.1f", self.learner.step,
                 record.get("loss", float("nan")), meta.selfplay_games, meta.samples, record["moves_per_second"])


def game_endings(buffer_stats: dict[str, Any]) -> dict[str, Any]:
    """What the games so far say, for logs: ``mean_plies``, the false-positive rates of resignation and
    draw adjudication (None before a check game fired) and ``ended_<termination>``: the share of games
    that ended so (``ended_resigned``, ``ended_adjudicated_draw``, ``ended_checkmate``, ...)."""
    endings = buffer_stats.get("terminations", {})
    games = sum(endings.values())
    out: dict[str, Any] = {key: finite_or_none(float(buffer_stats[key]))
                           for key in ("mean_plies", "resign_false_positive_rate", "draw_false_positive_rate")}
    out.update(resign_checks=buffer_stats["resign_checks"], draw_checks=buffer_stats["draw_checks"])
    out.update({f"ended_{name}": count / games for name, count in sorted(endings.items())})
    return out
