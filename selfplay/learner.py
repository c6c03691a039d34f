"""Learner (plain class): trains the network on replay samples and writes checkpoints.

Loss = cross-entropy of the network's policy (illegal actions masked) to the search policy (visit
counts or Gumbel's improved policy; only full-search positions count) + ``value_weight`` x mean squared
error of the value to the game's outcome. Recurrent networks add the progressive loss of Bansal et
al. 2022. Optimizer: AdamW. Games with a left-right symmetry (connect four) get half of every batch
mirrored (:mod:`selfplay.augment`; ``LearnerConfig.mirror``).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from agents.nets.checkpoint import Checkpoint, CheckpointError, TrainingMetadata, checkpoint_path, save_checkpoint
from agents.nets.recurrent import RecurrentNet
from agents.nets.core import NetConfig, PolicyValueNet, build_network, flops_per_evaluation
from games.core import GameSpec
from selfplay.augment import mirror_half
from selfplay.core import LearnerConfig
from selfplay.training import TRAINING_PASS_COST, scheduled_lr


def policy_value_loss(logits: torch.Tensor, values: torch.Tensor, batch: dict[str, torch.Tensor],
                      value_weight: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(total, policy cross-entropy, value MSE) of one output against a batch's targets."""
    masked = logits.masked_fill(~batch["legal_masks"], -1e9)
    log_p = F.log_softmax(masked, dim=1)
    ce = -(batch["policies"] * log_p).sum(dim=1)
    weight = batch["full_search"].float()
    policy_loss = (ce * weight).sum() / weight.sum().clamp_min(1.0)
    value_loss = F.mse_loss(values, batch["values"])
    return policy_loss + value_weight * value_loss, policy_loss, value_loss


class Learner:
    """Owns the training network, its AdamW optimizer and the run's counters.

    Args:
        game_name: registered name written into checkpoints.
        spec: the game's spec (shapes).
        net_config: architecture.
        config: learner settings.
        seed: torch seed of the initial weights.
    """

    def __init__(self, game_name: str, spec: GameSpec, net_config: NetConfig, config: LearnerConfig,
                 seed: int = 0) -> None:
        torch.manual_seed(seed)
        self.game_name, self.spec, self.config = game_name, spec, config
        self.device = torch.device(config.device)
        self.model: PolicyValueNet = build_network(net_config, spec).to(self.device)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.generator = torch.Generator().manual_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.flops = flops_per_evaluation(self.model)
        self.step = 0
        self.selfplay_games = 0
        self.samples = 0
        self.selfplay_evaluations = 0
        self.seconds_before = 0.0
        self.parent = ""
        """Where the run's first weights came from (``--init``), in words; empty for random weights."""
        self.parent_flops = 0.0
        """Training compute behind the ``--init`` weights (their own and their parents')."""
        self._started = time.monotonic()

    def initialize(self, ckpt: Checkpoint) -> None:
        """Start a new run from ``ckpt``'s weights (``--init``): the step, counters and optimizer stay fresh,
        and :attr:`parent` records the checkpoint. Raises :class:`CheckpointError` for another game's
        checkpoint or one whose network differs from this learner's."""
        if ckpt.game != self.game_name:
            raise CheckpointError(f"--init checkpoint '{ckpt.path}' is a {ckpt.game} network, not {self.game_name}")
        if ckpt.network != self.model.config:
            raise CheckpointError(f"--init checkpoint '{ckpt.path}' has network {ckpt.network}, the run "
                                  f"{self.model.config}")
        self.model.load_state_dict(ckpt.weights)
        m = ckpt.metadata
        self.parent = (f"{ckpt.path} ({ckpt.game}, learner step {m.learner_steps}, {m.samples} positions, "
                       f"{m.compute_flops:.3g} FLOPs; {m.training or 'training not recorded'})")
        self.parent_flops = m.total_compute_flops

    def restore(self, ckpt: Checkpoint) -> None:
        """Continue from a checkpoint: weights, optimizer state and counters."""
        self.model.load_state_dict(ckpt.weights)
        if ckpt.optimizer is not None:
            self.optimizer.load_state_dict(ckpt.optimizer)
        m = ckpt.metadata
        self.step, self.selfplay_games, self.samples = m.learner_steps, m.selfplay_games, m.samples
        train_evals = m.learner_steps * self.config.batch_size * TRAINING_PASS_COST
        self.selfplay_evaluations = max(0, m.network_evaluations - train_evals)
        self.seconds_before = m.wall_seconds
        self.parent = m.parent
        self.parent_flops = m.parent_flops
        self._started = time.monotonic()

    def set_progress(self, progress: float) -> float:
        """Set the learning rate for ``progress`` through the budget (``LearnerConfig.lr_schedule`` by
        :func:`selfplay.training.scheduled_lr`); returns it."""
        cfg = self.config
        lr = scheduled_lr(cfg.lr, progress, schedule=cfg.lr_schedule, final=cfg.lr_final, step=self.step,
                          warmup_steps=cfg.warmup_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def train_step(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One AdamW step on a batch (arrays keyed like :class:`selfplay.core.PlayedGame`); returns losses."""
        self.model.train()
        if self.config.mirror and self.spec.mirror_actions is not None:
            batch = mirror_half(batch, self.spec.mirror_actions, self.rng)
        b = {k: torch.from_numpy(np.require(v, requirements="W")).to(self.device) for k, v in batch.items()}
        alpha = self.config.progressive_alpha
        if isinstance(self.model, RecurrentNet) and alpha > 0:
            (lf, vf), (lp, vp) = self.model.progressive_forward(b["observations"], self.generator)
            total_f, pol, val = policy_value_loss(lf, vf, b, self.config.value_weight)
            total_p, _, _ = policy_value_loss(lp, vp, b, self.config.value_weight)
            loss = (1 - alpha) * total_f + alpha * total_p
        else:
            logits, values = self.model(b["observations"])
            loss, pol, val = policy_value_loss(logits, values, b, self.config.value_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return {"loss": loss.item(), "policy_loss": pol.item(), "value_loss": val.item()}

    def weights(self) -> dict[str, torch.Tensor]:
        """CPU copy of the current weights (what workers load)."""
        return {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}

    def metadata(self) -> TrainingMetadata:
        evaluations = self.selfplay_evaluations + self.step * self.config.batch_size * TRAINING_PASS_COST
        return TrainingMetadata(
            learner_steps=self.step, selfplay_games=self.selfplay_games, samples=self.samples,
            wall_seconds=self.seconds_before + time.monotonic() - self._started,
            network_evaluations=int(evaluations), flops_per_evaluation=int(self.flops),
            training="self-play (selfplay.train: batched MCTS games, visit or improved-policy targets)",
            parent=self.parent, parent_flops=self.parent_flops)

    def save(self, run_dir: str | Path) -> Path:
        """Write ``run_dir/checkpoints/<step>.pt`` atomically (weights, optimizer, metadata)."""
        return save_checkpoint(checkpoint_path(run_dir, self.step), self.model, self.game_name, self.metadata(),
                               optimizer_state=self.optimizer.state_dict())
