"""Training a no-limit blueprint by MCCFR: the loop, checkpoints, resumption and the metrics it logs.

:func:`train` runs :func:`search.cfr.mccfr.run_iterations` batch by batch on the abstract game of a
:class:`~search.cfr.nl_config.BlueprintConfig` and keeps a run folder::

    run/config.json                     the configuration (rewritten on resume)
    run/checkpoint-000001000000.npz     numbered checkpoints, the newest ``keep_checkpoints`` kept
    run/metrics.jsonl                   one JSON line per checkpoint

A checkpoint is one ``.npz`` written to a temp file and renamed: format version, the configuration, the
deal source's fingerprint, iterations done, the linear-weighting state, seconds trained, and the regret and
strategy-sum tables (float32 over the tree's slots). Calling :func:`train` again on the folder resumes from
the newest checkpoint; batches never straddle a discount or a checkpoint, so with one thread a resumed run
equals an uninterrupted one.

Metrics per checkpoint: iterations, seconds, iterations per second, nodes visited per iteration, share of
pruned iterations, the CFR regret bound (sum over information sets of the largest positive regret divided
by the iterations' total weight, chips), information sets touched, the change of the average strategy
since the previous checkpoint, head-to-head results against the previous checkpoint's average strategy and
against the uniform strategy (duplicate deals, expected values over the whole tree, mbb/hand with standard
errors) and, for a deal source that lists its deals (``cards = kuhn``), the exact exploitability.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np

from search.cfr.mccfr import average_strategy, positive_regret, run_iterations, tree_depth
from search.cfr.nl_config import BlueprintConfig, BlueprintConfigError, deal_source
from search.cfr.nl_deals import DealSource
from search.cfr.nl_eval import exploitability, head_to_head
from search.cfr.nl_tree import AbstractTree, build_tree

FORMAT_VERSION = 1
EVAL_SEED_OFFSET = 1_000_003
"""Evaluation deals use ``seed + EVAL_SEED_OFFSET``, apart from the training deals."""
log = logging.getLogger(__name__)


@dataclass
class TrainState:
    """Everything a checkpoint holds besides the configuration."""

    iterations: int
    """Iterations done."""
    discounts: int
    """Linear-weighting discounts applied so far."""
    weight: float
    """Total weight of the iterations done, after discounting (the regret bound divides by it)."""
    seconds: float
    """Training seconds over all invocations."""
    regrets: np.ndarray
    """float32 [slots]."""
    strategy_sum: np.ndarray
    """float32 [slots]."""


@dataclass(frozen=True)
class Blueprint:
    """A trained abstract strategy, as agents read it."""

    config: BlueprintConfig
    fingerprint: str
    """Fingerprint of the card abstraction it was trained with."""
    tree: AbstractTree
    strategy: np.ndarray
    """float32 [slots]: the average strategy."""
    iterations: int

    def action_probs(self, node: int, bucket: int) -> np.ndarray:
        """float32 [actions at ``node``]: the blueprint's probabilities for a hand in ``bucket``."""
        k = int(self.tree.num_children[node])
        base = int(self.tree.slot[node]) + bucket * k
        return self.strategy[base: base + k]


def checkpoint_path(run_dir: Path, iterations: int) -> Path:
    return run_dir / f"checkpoint-{iterations:012d}.npz"


def checkpoints(run_dir: Path) -> list[Path]:
    """The run's checkpoints, oldest first."""
    return sorted(run_dir.glob("checkpoint-*.npz"))


def save_checkpoint(path: Path, config: BlueprintConfig, fingerprint: str, state: TrainState) -> None:
    """Write a checkpoint atomically (temp file + rename, mode 0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, version=FORMAT_VERSION, config=json.dumps(config.to_dict()), fingerprint=fingerprint,
                 iterations=state.iterations, discounts=state.discounts, weight=state.weight, seconds=state.seconds,
                 regrets=state.regrets, strategy_sum=state.strategy_sum)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def save_play_only(path: Path, source: Path) -> Path:
    """Write checkpoint ``source`` as a play-only blueprint at ``path``: its average strategy quantised to
    8 bits per probability (rounded to 1/255, so within 1/510, within 2/255 once renormalised) and compressed, no regrets; it plays and is
    measured like the checkpoint but cannot be resumed. A 60 MB checkpoint of the default abstraction
    becomes a few MB, small enough to ship."""
    config, fingerprint, state = load_checkpoint(source)
    num_buckets = _num_buckets(config)
    tree = build_tree(config.rules(), config.actions, num_buckets)
    _check_size(source, tree, state)
    strategy = average_strategy(tree, np.asarray(num_buckets, dtype=np.int64), state.strategy_sum)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez_compressed(f, version=FORMAT_VERSION, config=json.dumps(config.to_dict()), fingerprint=fingerprint,
                            iterations=state.iterations, discounts=state.discounts, weight=state.weight,
                            seconds=state.seconds, strategy_u8=np.rint(strategy * 255.0).astype(np.uint8))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: Path) -> tuple[BlueprintConfig, str, TrainState]:
    """(configuration, fingerprint, state) of a checkpoint; BlueprintConfigError if it is not one. A
    play-only blueprint (:func:`save_play_only`) has empty regrets and its probabilities as strategy sums."""
    try:
        with np.load(path) as f:
            if int(f["version"]) != FORMAT_VERSION:
                raise BlueprintConfigError(f"{path}: checkpoint format {int(f['version'])}, expected {FORMAT_VERSION}")
            config = BlueprintConfig.from_dict(json.loads(str(f["config"])))
            if "strategy_u8" in f.files:
                regrets, strategy_sum = np.zeros(0, np.float32), f["strategy_u8"].astype(np.float32) / 255.0
            else:
                regrets, strategy_sum = f["regrets"], f["strategy_sum"]
            state = TrainState(int(f["iterations"]), int(f["discounts"]), float(f["weight"]), float(f["seconds"]),
                               regrets, strategy_sum)
            return config, str(f["fingerprint"]), state
    except (OSError, KeyError, ValueError) as err:
        raise BlueprintConfigError(f"{path} is not a blueprint checkpoint ({err})") from None


def load_blueprint(path: Path, source: DealSource | None = None) -> Blueprint:
    """The average strategy of a checkpoint; with ``source``, refuses a blueprint of another abstraction."""
    config, fingerprint, state = load_checkpoint(path)
    if source is not None and source.fingerprint() != fingerprint:
        raise BlueprintConfigError(f"{path} was trained with card abstraction {fingerprint}, "
                                   f"not {source.fingerprint()}")
    num_buckets = _num_buckets(config)
    tree = build_tree(config.rules(), config.actions, num_buckets)
    _check_size(path, tree, state)
    strategy = average_strategy(tree, np.asarray(num_buckets, dtype=np.int64), state.strategy_sum)
    return Blueprint(config, fingerprint, tree, strategy, state.iterations)


def _num_buckets(config: BlueprintConfig) -> tuple[int, int, int, int]:
    if config.cards == "kuhn":
        return (config.kuhn_cards,) * 4
    if config.cards == "strength":
        return (169,) + (config.strength_buckets,) * 3
    return config.card_abstraction.num_buckets


def _check_size(path: Path, tree: AbstractTree, state: TrainState) -> None:
    if state.strategy_sum.shape != (int(tree.num_slots[0]),):
        raise BlueprintConfigError(f"{path}: tables of {state.strategy_sum.shape[0]} entries, the abstract game has "
                                   f"{int(tree.num_slots[0])}")


def _resume(config: BlueprintConfig, run_dir: Path, fingerprint: str, tree: AbstractTree) -> TrainState:
    found = checkpoints(run_dir)
    if not found:
        slots = int(tree.num_slots[0])
        return TrainState(0, 0, 0.0, 0.0, np.zeros(slots, dtype=np.float32), np.zeros(slots, dtype=np.float32))
    old, old_fingerprint, state = load_checkpoint(found[-1])
    changed = config.model_differences(old)
    if changed or old_fingerprint != fingerprint:
        raise BlueprintConfigError(f"{run_dir} holds a run with other settings ({', '.join(changed) or 'cards'}); "
                                   "use another folder")
    _check_size(found[-1], tree, state)
    if state.regrets.shape != state.strategy_sum.shape:
        raise BlueprintConfigError(f"{found[-1]} is a play-only blueprint (no regrets): it cannot be resumed")
    return state


def _next_stop(config: BlueprintConfig, done: int) -> int:
    """The iteration the next batch ends at: never past a discount, a checkpoint or the end."""
    stop = min(done + config.batch, config.iterations, (done // config.checkpoint_every + 1) * config.checkpoint_every)
    if done < config.discount_until:
        stop = min(stop, (done // config.discount_every + 1) * config.discount_every)
    return stop


class _Evaluator:
    """Metrics at checkpoints: remembers the previous average strategy."""

    def __init__(self, config: BlueprintConfig, source: DealSource, tree: AbstractTree) -> None:
        self.config, self.tree = config, tree
        self.num_buckets = np.asarray(source.num_buckets, dtype=np.int64)
        self.deals = source.sample(0, config.eval_deals, config.seed + EVAL_SEED_OFFSET)
        self.listed = source.enumerate() if hasattr(source, "enumerate") else None
        self.uniform = average_strategy(tree, self.num_buckets, np.zeros(int(tree.num_slots[0]), dtype=np.float32))
        self.previous: np.ndarray | None = None
        self.big_blind = config.rules().big_blind

    def __call__(self, state: TrainState) -> dict[str, Any]:
        strategy = average_strategy(self.tree, self.num_buckets, state.strategy_sum)
        bound, touched = positive_regret(self.tree, self.num_buckets, state.regrets)
        out: dict[str, Any] = {"regret_bound": bound / max(state.weight, 1e-300), "infosets_touched": int(touched)}
        for name, other in (("uniform", self.uniform), ("previous", self.previous)):
            if other is None:
                continue
            match = head_to_head(self.tree, strategy, other, *self.deals)
            out[f"vs_{name}_mbb"] = 1000.0 * match.mean / self.big_blind
            out[f"vs_{name}_mbb_stderr"] = 1000.0 * match.stderr / self.big_blind
        if self.previous is not None:
            out["strategy_change"] = float(np.abs(strategy - self.previous).sum() / max(touched, 1))
        if self.listed is not None:
            out["exploitability_mbb"] = 1000.0 * exploitability(self.tree, strategy, *self.listed) / self.big_blind
        self.previous = strategy
        return out


def train(config: BlueprintConfig, run_dir: Path, cache_dir: Path | None = None,
          source: DealSource | None = None) -> TrainState:
    """Train (or resume) the blueprint of ``config`` in ``run_dir``; returns the final state.

    ``source`` overrides the deal source that ``config`` names (the k-means tables are otherwise loaded or
    built in ``cache_dir``, see :mod:`search.cfr.card_abstraction`)."""
    run_dir = Path(run_dir)
    source = source if source is not None else deal_source(config, cache_dir)
    if tuple(source.num_buckets) != _num_buckets(config):
        raise BlueprintConfigError(f"deal source has buckets {source.num_buckets}, config needs {_num_buckets(config)}")
    tree = build_tree(config.rules(), config.actions, source.num_buckets)
    depth = tree_depth(tree)
    state = _resume(config, run_dir, source.fingerprint(), tree)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    evaluator = _Evaluator(config, source, tree)
    if state.iterations:
        evaluator.previous = average_strategy(tree, evaluator.num_buckets, state.strategy_sum)
    threads_before = numba.get_num_threads()
    numba.set_num_threads(min(config.threads, numba.config.NUMBA_NUM_THREADS))
    try:
        return _loop(config, run_dir, source, tree, depth, state, evaluator)
    finally:
        numba.set_num_threads(threads_before)


def _loop(config: BlueprintConfig, run_dir: Path, source: DealSource, tree: AbstractTree, depth: int,
          state: TrainState, evaluator: "_Evaluator") -> TrainState:
    log.info("blueprint: %d nodes, %d table entries, %d iterations done", tree.kind.shape[0],
             int(tree.num_slots[0]), state.iterations)
    started = time.perf_counter()
    stats = np.zeros((config.threads, 3), dtype=np.int64)
    since = (state.iterations, time.perf_counter())
    while state.iterations < config.iterations:
        if config.seconds and time.perf_counter() - started >= config.seconds:
            break
        stop = _next_stop(config, state.iterations)
        buckets, winners = source.sample(state.iterations, stop - state.iterations, config.seed)
        run_iterations(tree, depth, buckets, winners, state.iterations, config.seed, config.prune_after,
                       config.prune_prob, config.prune_threshold, config.regret_floor, config.threads,
                       state.regrets, state.strategy_sum, stats)
        state.weight += stop - state.iterations
        state.iterations = stop
        if stop <= config.discount_until and stop % config.discount_every == 0:
            state.discounts += 1
            factor = state.discounts / (state.discounts + 1)
            state.regrets *= factor
            state.strategy_sum *= factor
            state.weight *= factor
        if stop % config.checkpoint_every == 0 or stop == config.iterations:
            now = time.perf_counter()
            state.seconds += now - since[1]
            _checkpoint(config, run_dir, source.fingerprint(), state, evaluator, stats, stop - since[0], now - since[1])
            stats[:] = 0
            since = (stop, time.perf_counter())
    if state.iterations > since[0]:  # stopped by the clock between checkpoints
        now = time.perf_counter()
        state.seconds += now - since[1]
        _checkpoint(config, run_dir, source.fingerprint(), state, evaluator, stats, state.iterations - since[0],
                    now - since[1])
    return state


def _checkpoint(config: BlueprintConfig, run_dir: Path, fingerprint: str, state: TrainState, evaluator: _Evaluator,
                stats: np.ndarray, iterations: int, seconds: float) -> None:
    save_checkpoint(checkpoint_path(run_dir, state.iterations), config, fingerprint, state)
    for old in checkpoints(run_dir)[:-config.keep_checkpoints]:
        old.unlink()
    totals = stats.sum(axis=0)
    line = {"iterations": state.iterations, "seconds": round(state.seconds, 3),
            "iterations_per_second": iterations / max(seconds, 1e-9),
            "nodes_per_iteration": float(totals[1]) / max(int(totals[0]), 1),
            "pruned_share": float(totals[2]) / max(int(totals[0]), 1), **evaluator(state)}
    with open(run_dir / "metrics.jsonl", "a") as f:
        f.write(json.dumps(line) + "\n")
    log.info("blueprint: %s", line)
