"""TorchEvaluator: matches the network, masks illegal actions, batches, caches; checkpoint evaluator."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
from agents.nets.core import NetConfig, build_network, evaluator_from_checkpoint
from agents.nets.evaluator import ILLEGAL_LOGIT, TorchEvaluator
from games.registry import make_game


def _positions(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    game = make_game("connect_four")
    rng = np.random.default_rng(seed)
    obs, masks = [], []
    while len(obs) < n:
        state = game.new_state()
        for _ in range(int(rng.integers(0, 20))):
            if state.is_terminal():
                break
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
        if not state.is_terminal():
            obs.append(state.observation())
            masks.append(state.legal_action_mask())
    return np.stack(obs), np.stack(masks)


def test_matches_network_masks_and_splits_batches() -> None:
    torch.manual_seed(0)
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8), make_game("connect_four").spec).eval()
    obs, mask = _positions(50)
    mask[0, :] = False
    mask[0, 3] = True
    ev = TorchEvaluator(net, batch_size=7)
    logits, values = ev(obs, mask)
    assert logits.dtype == np.float32 and values.dtype == np.float32 and logits.shape == (50, 7)
    with torch.no_grad():
        ref_logits, ref_values = net(torch.from_numpy(obs))
    np.testing.assert_allclose(values, ref_values.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits[mask], ref_logits.numpy()[mask], rtol=1e-5, atol=1e-6)
    assert np.all(logits[~mask] == ILLEGAL_LOGIT)
    assert ev.evaluations == 50
    empty_logits, empty_values = ev(obs[:0], mask[:0])
    assert empty_logits.shape == (0, 7) and empty_values.shape == (0,)


def test_cache_returns_same_answers_and_counts_hits() -> None:
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8), make_game("connect_four").spec)
    obs, mask = _positions(20, seed=1)
    plain = TorchEvaluator(net)
    cached = TorchEvaluator(net, cache_size=15)
    l1, v1 = cached(obs, mask)
    l2, v2 = cached(obs[::-1].copy(), mask[::-1].copy())
    lp, vp = plain(obs, mask)
    np.testing.assert_allclose(l1, lp, atol=1e-6)
    np.testing.assert_allclose(l2, lp[::-1], atol=1e-6)
    np.testing.assert_allclose(v2, vp[::-1], atol=1e-6)
    unique = len({o.tobytes() for o in obs})
    assert cached.evaluations + cached.cache_hits == 40
    assert cached.cache_hits >= 1 and cached.evaluations >= unique
    assert len(cached._cache) <= 15


def test_evaluator_from_checkpoint_and_recurrent_iters(tmp_path: Path) -> None:
    game = make_game("connect_four")
    net = build_network(NetConfig(kind="recurrent", blocks=1, channels=8, iters=2), game.spec).eval()
    path = save_checkpoint(tmp_path / "r.pt", net, "connect_four", TrainingMetadata())
    obs, mask = _positions(6, seed=2)
    ev2 = evaluator_from_checkpoint(str(path), game)
    ev5 = evaluator_from_checkpoint(str(path), game, iters=5)
    with torch.no_grad():
        ref5 = net(torch.from_numpy(obs), iters=5)[1].numpy()
        ref2 = net(torch.from_numpy(obs))[1].numpy()
    np.testing.assert_allclose(ev5(obs, mask)[1], ref5, atol=1e-6)
    np.testing.assert_allclose(ev2(obs, mask)[1], ref2, atol=1e-6)
