"""Train the Leduc leaf value network by self-play: ``python -m selfplay.leduc_value_train --out runs/NAME``.

ReBeL-style generations: (1) gather public belief states at the round-1/round-2 boundary from
depth-limited round-1 solves whose leaves the *current* network values (blueprint leaves before
the first generation), from CFR blueprints of random strength, all perturbed for exploration (see
:mod:`selfplay.leduc_value_train.data`); (2) label each by solving the rest of the hand exactly from it;
(3) train the MLP on everything gathered so far. A held-out set from the same sources gives the
error in chips. The run folder holds ``config.json``, ``metrics.jsonl`` and ``tensorboard/`` (one record per
generation, :class:`selfplay.training.MetricsWriter`) and ``leaf_value.pt`` (rewritten atomically after every
generation; load it with ``subgame:...,leaf=net:PATH``). Every field of :class:`ValueTrainConfig` (and of its
network and data configs: ``--net-hidden``, ``--data-label-iters``, ...) is a flag; ``--pbs``, ``--steps``,
``--hidden`` and ``--label-iters`` are short names for four of them.
"""
from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.checkpoint import TrainingMetadata
from agents.nets.leduc_value import (NUM_HANDS, VALUE_SCALE, LeafNetConfig, LeafValueNet, NetLeafValues, encode,
                                    save_leaf_net)
from games.core import InputError
from search.cfr import game_tree
from search.cfr.leaf_solve import ExactLeafValues
from selfplay.leduc_value_train.data import DataConfig, PBSSource, label
from selfplay.training import MetricsWriter, Progress

CHECKPOINT_NAME = "leaf_value.pt"
SHORT_FLAGS = {"pbs_per_generation": ["--pbs"], "steps_per_generation": ["--steps"], "net.hidden": ["--hidden"],
               "data.label_iters": ["--label-iters"]}
"""Short names of some flags (the documented command lines use them)."""


class ValueTrainError(InputError):
    """Bad arguments to the leaf value trainer."""


@dataclass(frozen=True)
class ValueTrainConfig:
    """A training run."""

    minutes: float = 10.0
    """Wall-clock budget (the generation under way finishes)."""
    generations: int = 0
    """Stop after this many generations (0 = time only)."""
    pbs_per_generation: int = 600
    """PBSs gathered and labelled per generation."""
    search_fraction: float = 0.6
    """Share of a generation's PBSs that come from self-play search (the rest from blueprints)."""
    steps_per_generation: int = 400
    """Optimizer steps per generation."""
    batch_size: int = 128
    """PBSs per step."""
    lr: float = 1e-3
    """Adam learning rate."""
    cfv_weight: float = 1.0
    """Weight of the per-hand value error (pair values against the other player's range) in the loss."""
    holdout: int = 200
    """Held-out PBSs (gathered first, never trained on)."""
    net: LeafNetConfig = LeafNetConfig()
    """Network shape."""
    data: DataConfig = DataConfig()
    """PBS generation and labelling."""
    seed: int = 0
    """Random seed."""

    def __post_init__(self) -> None:
        if self.minutes <= 0 or self.pbs_per_generation < 1 or self.steps_per_generation < 1 or self.batch_size < 1:
            raise ValueTrainError("minutes, pbs_per_generation, steps_per_generation and batch_size must be positive")
        if not 0.0 <= self.search_fraction <= 1.0 or self.holdout < 1 or self.generations < 0:
            raise ValueTrainError("search_fraction must be in [0, 1], holdout >= 1, generations >= 0")


def gather(source: PBSSource, oracle: ExactLeafValues, count: int, search_fraction: float,
           net: NetLeafValues | None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` labelled PBSs: features float32 [B, F] and targets float32 [B, H, H]."""
    pots, ranges, targets = [], [], []
    while len(pots) < count:
        batch = source.search_pbs(net) if source.rng.random() < search_fraction else source.blueprint_pbs()
        for node, r in batch:
            if len(pots) >= count:
                break
            pbs = source.perturb(r)
            pots.append(int(source.tree.contrib[node, 0]))
            ranges.append(pbs)
            targets.append(label(oracle, node, pbs))
    return encode(np.array(pots), np.array(ranges)), np.array(targets)


def _mse(pred: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the pairs of different cards (the diagonal is no deal)."""
    return (((pred - y) * mask) ** 2).sum() / (mask.sum() * y.shape[0])


def _cfv_mse(x: torch.Tensor, pred: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error of both players' per-hand values against the other's range (what the solver
    sees of a leaf; an equilibrium's pair values are not unique, these much more so)."""
    r0 = x[:, -2 * NUM_HANDS: -NUM_HANDS]
    r1 = x[:, -NUM_HANDS:]
    diff = (pred - y) * mask
    v0 = torch.einsum("bho,bo->bh", diff, r1)
    v1 = torch.einsum("bho,bh->bo", diff, r0)
    return (v0 ** 2 + v1 ** 2).mean() / 2.0


def _loss(x: torch.Tensor, pred: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, cfv_weight: float) -> torch.Tensor:
    return _mse(pred, y, mask) + cfv_weight * _cfv_mse(x, pred, y, mask)


def train(cfg: ValueTrainConfig, out: Path, *, progress: bool = False) -> dict[str, Any]:
    """Run generations until the budget is spent; returns the summary (also the last metrics line);
    ``progress`` shows a progress bar over the budget."""
    start = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tree = game_tree("leduc_poker")
    source, oracle = PBSSource(tree, cfg.data, rng), ExactLeafValues(tree, cfg.data.label_iters)
    model = LeafValueNet(cfg.net)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    mask = torch.ones(tree.num_hands, tree.num_hands) - torch.eye(tree.num_hands)
    by_generations = cfg.generations > 0
    bar = Progress(cfg.generations if by_generations else 60.0 * cfg.minutes, desc="train leduc values",
                   unit="generation" if by_generations else "s", disable=not progress)
    bar.bar.set_postfix_str(f"labelling {cfg.holdout} held-out belief states")  # shown before the first generation
    hx, hy = (torch.from_numpy(a) for a in gather(source, oracle, cfg.holdout, cfg.search_fraction, None))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    net: NetLeafValues | None = None
    generation, steps, summary = 0, 0, {}
    with MetricsWriter(out, start_step=0) as metrics, bar:
        while True:
            x, y = gather(source, oracle, cfg.pbs_per_generation, cfg.search_fraction, net)
            xs.append(x)
            ys.append(y)
            data_x, data_y = torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))
            model.train()
            for _ in range(cfg.steps_per_generation):
                idx = torch.from_numpy(rng.integers(0, len(data_x), min(cfg.batch_size, len(data_x))))
                bx = data_x[idx]
                loss = _loss(bx, model(bx), data_y[idx], mask, cfg.cfv_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()
                steps += 1
            model.eval()
            with torch.inference_mode():
                pred = model(hx)
                rmse = float(_mse(pred, hy, mask).sqrt()) * VALUE_SCALE
                base = float(_mse(torch.zeros_like(hy), hy, mask).sqrt()) * VALUE_SCALE
                cfv = float(_cfv_mse(hx, pred, hy, mask).sqrt()) * VALUE_SCALE
                cfv_base = float(_cfv_mse(hx, torch.zeros_like(hy), hy, mask).sqrt()) * VALUE_SCALE
            generation += 1
            seconds = time.monotonic() - start
            meta = TrainingMetadata(learner_steps=steps, samples=len(data_x), selfplay_games=generation,
                                    wall_seconds=seconds, training="self-play PBS value labels (exact CFR)")
            summary = {"generation": generation, "steps": steps, "samples": len(data_x), "seconds": seconds,
                       "holdout_rmse_chips": rmse, "holdout_rmse_zero_chips": base,
                       "holdout_value_rmse_chips": cfv, "holdout_value_rmse_zero_chips": cfv_base, "loss": loss.item()}
            save_leaf_net(out / CHECKPOINT_NAME, model, meta, extra=summary)
            metrics.write(steps, {k: v for k, v in summary.items() if k != "steps"})
            bar.advance_to(generation if by_generations else seconds, holdout_rmse_chips=rmse)
            net = NetLeafValues(model, tree)
            if (cfg.generations and generation >= cfg.generations) or seconds >= 60.0 * cfg.minutes:
                break
    return {"out": str(out), "checkpoint": str(out / CHECKPOINT_NAME), **summary}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, train, print a summary; returns the exit status."""
    p = CliParser(prog="python -m selfplay.leduc_value_train", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="run folder (runs/NAME)")
    add_flags(p, ValueTrainConfig, aliases=SHORT_FLAGS)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    args = p.parse_args(argv)
    cfg = from_flags(ValueTrainConfig, args)
    torch.set_num_threads(1)
    summary = train(cfg, Path(args.out), progress=not args.quiet)
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['generation']} generations, {summary['samples']} PBSs, {summary['steps']} steps in "
              f"{summary['seconds']:.0f} s; held-out error {summary['holdout_rmse_chips']:.4f} chips "
              f"(predicting 0: {summary['holdout_rmse_zero_chips']:.4f}); {summary['checkpoint']}")
    return 0
