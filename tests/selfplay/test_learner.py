"""Learner: the loss falls on a fixed batch, recurrent progressive loss trains, checkpoints resume."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from agents.nets.checkpoint import latest_checkpoint, load_checkpoint
from agents.nets.core import NetConfig
from games.registry import make_game
from selfplay.core import LearnerConfig
from selfplay.learner import Learner, policy_value_loss


def _batch(n: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    obs = rng.integers(0, 2, (n, 3, 6, 7)).astype(np.float32)
    masks = rng.random((n, 7)) < 0.8
    masks[:, 0] = True
    pol = rng.random((n, 7)).astype(np.float32) * masks
    pol /= pol.sum(axis=1, keepdims=True)
    return {"observations": obs, "legal_masks": masks, "policies": pol,
            "values": rng.choice([-1.0, 0.0, 1.0], n).astype(np.float32), "full_search": rng.random(n) < 0.7}


def test_loss_matches_hand_computation() -> None:
    b = {k: torch.from_numpy(v) for k, v in _batch(8).items()}
    logits = torch.randn(8, 7)
    values = torch.tanh(torch.randn(8))
    total, pol, val = policy_value_loss(logits, values, b, value_weight=2.0)
    logp = torch.log_softmax(logits.masked_fill(~b["legal_masks"], -1e9), 1)
    ce = -(b["policies"] * logp).sum(1)
    w = b["full_search"].float()
    assert torch.allclose(pol, (ce * w).sum() / w.sum())
    assert torch.allclose(val, ((values - b["values"]) ** 2).mean())
    assert torch.allclose(total, pol + 2.0 * val)


def test_training_reduces_loss_for_both_network_kinds() -> None:
    spec = make_game("connect_four").spec
    batch = _batch(32)
    for net in (NetConfig(kind="resnet", blocks=1, channels=8), NetConfig(kind="recurrent", blocks=1, channels=8, iters=2)):
        learner = Learner("connect_four", spec, net, LearnerConfig(batch_size=32, lr=3e-3, mirror=False), seed=0)
        first = learner.train_step(batch)["loss"]
        for _ in range(60):
            last = learner.train_step(batch)["loss"]
        assert last < 0.7 * first, (net.kind, first, last)
        assert learner.step == 61


def test_checkpoint_resume_restores_counters_weights_and_optimizer(tmp_path: Path) -> None:
    spec = make_game("connect_four").spec
    cfg = LearnerConfig(batch_size=16, mirror=False)  # exact replay: no random mirroring
    a = Learner("connect_four", spec, NetConfig(kind="resnet", blocks=1, channels=8), cfg, seed=0)
    for _ in range(3):
        a.train_step(_batch(16))
    a.selfplay_games, a.samples, a.selfplay_evaluations = 5, 99, 1000
    a.save(tmp_path)
    ckpt = load_checkpoint(latest_checkpoint(tmp_path))
    assert ckpt.path.endswith("000003.pt")
    meta = ckpt.metadata
    assert (meta.learner_steps, meta.selfplay_games, meta.samples) == (3, 5, 99)
    assert meta.network_evaluations == 1000 + 3 * 16 * 3 and meta.flops_per_evaluation == a.flops > 0
    b = Learner("connect_four", spec, NetConfig(kind="resnet", blocks=1, channels=8), cfg, seed=1)
    b.restore(ckpt)
    assert b.step == 3 and b.metadata().network_evaluations == meta.network_evaluations
    batch = _batch(16, seed=9)
    la, lb = a.train_step(batch), b.train_step(batch)
    assert abs(la["loss"] - lb["loss"]) < 1e-5
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.allclose(va.float(), vb.float(), atol=1e-6), k


def test_cosine_schedule_and_set_progress() -> None:
    import pytest

    from selfplay.core import ConfigError

    constant = Learner("connect_four", make_game("connect_four").spec, NetConfig(blocks=1, channels=8),
                       LearnerConfig(lr=2e-3))
    assert [constant.set_progress(p) for p in (0.0, 0.5, 1.0)] == [2e-3] * 3
    cosine = LearnerConfig(lr=2e-3, lr_schedule="cosine", lr_final=0.1)
    learner = Learner("connect_four", make_game("connect_four").spec, NetConfig(blocks=1, channels=8), cosine)
    assert learner.set_progress(0.5) == pytest.approx(2e-3 * 0.55)
    assert learner.set_progress(1.0) == pytest.approx(2e-4) and learner.lr == pytest.approx(2e-4)
    with pytest.raises(ConfigError, match="lr_schedule"):
        LearnerConfig(lr_schedule="step")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="lr_final"):
        LearnerConfig(lr_final=1.5)
