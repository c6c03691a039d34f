"""Self-play inference: the re-exported ONNX evaluator follows new weights; the batching evaluator merges
concurrent requests; the shared inference actor (local Ray) answers exactly what a local evaluator does."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
from agents.nets.core import NetConfig, build_network
from agents.nets.evaluator import TorchEvaluator
from games.registry import make_game
from selfplay.actors import InferenceHost
from selfplay.backend import ReexportingOnnxEvaluator, make_evaluator
from selfplay.core import InferenceConfig, TrainConfig
from selfplay.inference import BatchingEvaluator, expand_logits, pack_mask, unpack_mask
from tests.selfplay.chess_positions import chess_positions

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py
NET = NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8)


def _positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    return chess_positions(n, seed=1)


def _network(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_network(NET, make_game("chess").spec).eval()


def test_mask_packing_and_logit_expansion_round_trip() -> None:
    _, masks = _positions(5)
    np.testing.assert_array_equal(unpack_mask(pack_mask(masks), masks.shape[1]), masks)
    logits = np.random.default_rng(0).normal(size=masks.shape).astype(np.float32)
    full = expand_logits(logits[masks], masks)
    np.testing.assert_array_equal(full[masks], logits[masks])
    assert np.all(full[~masks] < -1e8)


def test_reexported_onnx_follows_new_weights() -> None:
    game = make_game("chess")
    obs, masks = _positions(8)
    onnx = ReexportingOnnxEvaluator(_network(1), game)
    for seed in (1, 2):
        reference = _network(seed)
        if seed == 2:
            onnx.load_weights(reference.state_dict())
        want_logits, want_values = TorchEvaluator(reference)(obs, masks)
        logits, values = onnx(obs, masks)
        np.testing.assert_allclose(logits[masks], want_logits[masks], atol=1e-4)
        np.testing.assert_allclose(values, want_values, atol=1e-4)
    assert onnx.exports == 2 and onnx.evaluations == 16
    assert isinstance(make_evaluator(_network(1), game, backend="torch"), TorchEvaluator)


class Counting:
    """An evaluator that records the batch sizes it was called with."""

    def __init__(self) -> None:
        self.inner = TorchEvaluator(_network(3))
        self.calls: list[int] = []

    def __call__(self, obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append(len(obs))
        return self.inner(obs, mask)


def test_batching_merges_concurrent_requests_and_returns_each_its_rows() -> None:
    obs, masks = _positions(9)
    parts = [(obs[:2], masks[:2]), (obs[2:7], masks[2:7]), (obs[7:], masks[7:])]
    counting = Counting()
    batcher = BatchingEvaluator(counting, max_requests=3, max_wait_s=10.0)

    async def together() -> list[tuple[np.ndarray, np.ndarray]]:
        return await asyncio.gather(*(batcher.evaluate(o, m) for o, m in parts))

    answers = asyncio.run(together())
    assert counting.calls == [9] and batcher.stats()["requests_per_pass"] == 3.0
    want_logits, want_values = counting.inner(obs, masks)
    np.testing.assert_array_equal(np.concatenate([a[0] for a in answers]), want_logits)
    np.testing.assert_array_equal(np.concatenate([a[1] for a in answers]), want_values)

    lonely = BatchingEvaluator(counting, max_requests=4, max_wait_s=0.05)  # too few requests: the timer flushes
    start = time.perf_counter()
    asyncio.run(lonely.evaluate(obs[:1], masks[:1]))
    assert 0.04 <= time.perf_counter() - start < 5 and counting.calls[-1] == 1


def test_inference_host_answers_like_a_local_evaluator(tmp_path: Path) -> None:
    game = make_game("chess")
    parent = save_checkpoint(tmp_path / "p.pt", _network(4), "chess", TrainingMetadata())
    config = TrainConfig(game="chess", network=NET, init=str(parent), inference=InferenceConfig(backend="torch"))
    host = InferenceHost(config.to_dict(), str(tmp_path / "run"), max_requests=1)
    obs, masks = _positions(6)
    legal, values = asyncio.run(host.evaluate(obs, pack_mask(masks)))
    want_logits, want_values = TorchEvaluator(_network(4))(obs, masks)
    np.testing.assert_array_equal(expand_logits(legal, masks), want_logits)
    np.testing.assert_array_equal(values, want_values)
    assert host.version == 0 and asyncio.run(host.load_weights(_network(5).state_dict(), 3)) == 3
    assert asyncio.run(host.load_weights(_network(4).state_dict(), 2)) == 3  # an older version is ignored
    np.testing.assert_array_equal(asyncio.run(host.evaluate(obs, pack_mask(masks)))[1],
                                  TorchEvaluator(_network(5))(obs, masks)[1])
    assert game.spec.num_actions == host.num_actions


@pytest.mark.ray
def test_shared_inference_actor_equals_a_local_evaluator(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    from selfplay.actors import make_inference_actor
    from selfplay.inference import RemoteEvaluator

    parent = save_checkpoint(tmp_path / "p.pt", _network(6), "chess", TrainingMetadata())
    config = TrainConfig(game="chess", network=NET, init=str(parent), workers=2,
                         inference=InferenceConfig(mode="shared", backend="torch", max_wait_ms=1500.0))
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        actor, _ = make_inference_actor(config, tmp_path / "run")
        remote = RemoteEvaluator(actor, 4672)
        obs, masks = _positions(7)
        local = TorchEvaluator(_network(6))
        for rows in (slice(0, 7), slice(0, 1)):  # one request alone waits for the second worker's, or the timer
            logits, values = remote(obs[rows], masks[rows])
            want_logits, want_values = local(obs[rows], masks[rows])
            np.testing.assert_array_equal(logits, want_logits)
            np.testing.assert_array_equal(values, want_values)
        both = [actor.evaluate.remote(obs[:3], pack_mask(masks[:3])), actor.evaluate.remote(obs[3:], pack_mask(masks[3:]))]
        merged = ray.get(both)
        np.testing.assert_allclose(np.concatenate([v for _, v in merged]), local(obs, masks)[1], atol=1e-6)
        stats = ray.get(actor.stats.remote())
        assert stats["requests"] == 4 and stats["forward_passes"] == 3 and remote.evaluations == 8
    finally:
        ray.shutdown()
