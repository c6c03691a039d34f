"""The training phase of a distillation run: the network learns Stockfish's labels.

:class:`DistillTrainer` runs AdamW (policy cross-entropy + value MSE, :func:`selfplay.learner.policy_value_loss`)
on the labelled positions under a time and/or epoch budget, with linear warm-up and a cosine decay to 5%
(:func:`selfplay.training.scheduled_lr`); :func:`split` holds positions out for validation and
:func:`evaluate` measures the loss and top-1 agreement with Stockfish on them.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from agents.nets.checkpoint import load_checkpoint, write_atomically
from agents.nets.core import NetConfig, build_network, flops_per_evaluation
from games.core import Game
from selfplay.distill.config import TrainSettings
from selfplay.distill.store import Dataset
from selfplay.learner import policy_value_loss
from selfplay.training import scheduled_lr


def split(dataset: Dataset, seed: int, first_new: int = 0) -> tuple[Dataset, Dataset]:
    """(train, validation): about 2% (at most 2000, none for tiny sets) held out, chosen by seed among
    the positions from index ``first_new`` on. A resumed run passes the number of positions it had before
    this invocation (shards load in order, so those come first): a network restored from a checkpoint
    trained on the old positions, so only the new ones can validate it. ``first_new`` is ignored when
    nothing new was added."""
    n = len(dataset)
    start = first_new if 0 < first_new < n else 0
    held = min(2000, (n - start) // 50)
    order = start + np.random.default_rng(seed).permutation(n - start)
    val = np.sort(order[:held])
    train = np.setdiff1d(np.arange(n), val, assume_unique=True)
    return dataset.subset(train), dataset.subset(val)


def evaluate(model: torch.nn.Module, data: Dataset, game: Game, settings: TrainSettings) -> dict[str, float]:
    """Validation policy cross-entropy, value MSE and top-1 agreement with Stockfish's best move."""
    if len(data) == 0:
        return {}
    model.eval()
    totals = {"val_policy_loss": 0.0, "val_value_loss": 0.0, "val_top1": 0.0}
    with torch.inference_mode():
        for start in range(0, len(data), 512):
            index = np.arange(start, min(len(data), start + 512))
            b = {k: torch.from_numpy(v) for k, v in data.batch(index, game.spec.observation_shape,
                                                             game.spec.num_actions).items()}
            logits, values = model(b["observations"])
            _, pol, val = policy_value_loss(logits, values, b, settings.value_weight)
            best = logits.masked_fill(~b["legal_masks"], -1e9).argmax(dim=1).numpy()
            totals["val_policy_loss"] += pol.item() * len(index)
            totals["val_value_loss"] += val.item() * len(index)
            totals["val_top1"] += float((best == data.actions[index, 0]).sum())
    return {k: v / len(data) for k, v in totals.items()}


class DistillTrainer:
    """The training phase: AdamW on the labelled data under a time and/or epoch budget."""

    def __init__(self, game: Game, net: NetConfig, settings: TrainSettings, seed: int) -> None:
        torch.manual_seed(seed)
        self.game, self.settings = game, settings
        self.model = build_network(net, game.spec)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=settings.lr,
                                           weight_decay=settings.weight_decay)
        self.flops = flops_per_evaluation(self.model)
        self.step = 0
        self.seconds_before = 0.0
        self.rng = np.random.default_rng(seed)

    def restore(self, path: Path, optimizer_path: Path) -> None:
        """Weights and counters from checkpoint ``path``; AdamW state from ``optimizer_path`` if it has
        the same step (else the optimizer starts afresh)."""
        ckpt = load_checkpoint(path)
        self.model.load_state_dict(ckpt.weights)
        self.step = ckpt.metadata.learner_steps
        self.seconds_before = ckpt.metadata.wall_seconds
        if optimizer_path.is_file():
            saved = torch.load(optimizer_path, map_location="cpu", weights_only=True)
            if isinstance(saved, dict) and saved.get("step") == self.step:
                self.optimizer.load_state_dict(saved["optimizer"])

    def save_optimizer(self, path: Path) -> None:
        """Write the AdamW state (tagged with the step) atomically to ``path``."""
        write_atomically(path, {"step": self.step, "optimizer": self.optimizer.state_dict()})

    def _lr(self, progress: float, local_step: int) -> float:
        s = self.settings
        return scheduled_lr(s.lr, progress, final=0.05, step=local_step, warmup_steps=s.warmup_steps)

    def train_step(self, batch: dict[str, np.ndarray], lr: float) -> dict[str, float]:
        """One AdamW step at rate ``lr``; returns the losses."""
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        b = {k: torch.from_numpy(v) for k, v in batch.items()}
        logits, values = self.model(b["observations"])
        loss, pol, val = policy_value_loss(logits, values, b, self.settings.value_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return {"loss": loss.item(), "policy_loss": pol.item(), "value_loss": val.item()}

    def run(self, train: Dataset, seconds: float | None, epochs: float | None, on_progress: Any) -> None:
        """Train until ``seconds`` pass or ``epochs`` passes are done; ``on_progress(fraction, losses)``
        is called after every step (fraction of the budget used, in [0, 1])."""
        n = len(train)
        bs = min(self.settings.batch_size, n)
        total_steps = None if epochs is None else max(1, int(epochs * n / bs))
        started = time.monotonic()
        order, cursor, local = self.rng.permutation(n), 0, 0

        def progress() -> float:
            fractions = [0.0]
            if total_steps is not None:
                fractions.append(local / total_steps)
            if seconds is not None:
                fractions.append((time.monotonic() - started) / max(seconds, 1e-9))
            return min(1.0, max(fractions))

        while (done := progress()) < 1.0:
            if cursor + bs > n:
                order, cursor = self.rng.permutation(n), 0
            index = np.sort(order[cursor:cursor + bs])
            cursor += bs
            batch = train.batch(index, self.game.spec.observation_shape, self.game.spec.num_actions)
            losses = self.train_step(batch, self._lr(done, local))
            local += 1
            on_progress(progress(), losses)
