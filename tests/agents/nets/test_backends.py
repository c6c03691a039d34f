"""Inference backends: ONNX Runtime agrees with torch on the shipped chess network; bad input is refused."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.backends import (
    BackendError,
    OnnxEvaluator,
    default_backend,
    export_onnx,
    exported_path,
    network_evaluator,
    resolve_backend,
)
from agents.nets.checkpoint import CheckpointError, load_network
from agents.nets.evaluator import TorchEvaluator
from games.registry import make_game

pytest.importorskip("onnxruntime")
CHESS_NET = Path(__file__).resolve().parents[3] / "models" / "chess" / "checkpoints" / "011485.pt"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAMESEARCH_CACHE", str(tmp_path / "cache"))


def _chess_positions(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    game = make_game("chess")
    rng = np.random.default_rng(seed)
    obs, masks = [], []
    state = game.new_state()
    while len(obs) < n:
        if state.is_terminal() or rng.random() < 0.01:
            state = game.new_state()
        obs.append(state.observation())
        masks.append(state.legal_action_mask())
        legal = state.legal_actions()
        state.apply(int(legal[rng.integers(len(legal))]))
    return np.stack(obs), np.stack(masks)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def test_onnx_export_equals_torch_on_1000_chess_positions(one_torch_thread: None) -> None:
    game = make_game("chess")
    obs, mask = _chess_positions(1000)
    reference = TorchEvaluator(load_network(CHESS_NET, game=game)[0], batch_size=250)
    onnx = network_evaluator(CHESS_NET, game, backend="onnx", batch_size=250)
    assert isinstance(onnx, OnnxEvaluator) and exported_path(CHESS_NET).is_file()
    (t_logits, t_values), (o_logits, o_values) = reference(obs, mask), onnx(obs, mask)
    np.testing.assert_allclose(o_values, t_values, atol=1e-4)
    np.testing.assert_allclose(_softmax(o_logits), _softmax(t_logits), atol=1e-4)
    assert np.all(o_logits[~mask] == t_logits[~mask])  # illegal actions masked alike
    again = network_evaluator(CHESS_NET, game, backend="onnx")  # from the cache, same answers
    np.testing.assert_array_equal(again(obs[:5], mask[:5])[1], o_values[:5])


def test_backend_names_and_errors(tmp_path: Path) -> None:
    game = make_game("connect_four")
    assert resolve_backend("auto") == default_backend()
    assert resolve_backend("torch") == "torch"
    with pytest.raises(BackendError, match="unknown backend 'tpu'"):
        resolve_backend("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(BackendError, match="needs a CUDA GPU"):
            resolve_backend("cuda")
    garbage = tmp_path / "bad.onnx"
    garbage.write_bytes(b"not a model")
    with pytest.raises(BackendError, match="cannot load ONNX model"):
        network_evaluator(garbage, game, backend="onnx")
    with pytest.raises(BackendError, match="not found"):
        network_evaluator(tmp_path / "missing.onnx", game, backend="onnx")
    with pytest.raises(BackendError, match="use backend onnx"):
        network_evaluator(garbage, game, backend="torch")
    with pytest.raises(CheckpointError, match="does not exist"):
        network_evaluator(tmp_path / "missing.pt", game, backend="onnx")
    chess_onnx = export_onnx(load_network(CHESS_NET, game=make_game("chess"))[0], tmp_path / "chess.onnx", "chess")
    with pytest.raises(BackendError, match="is for game 'chess', not connect_four"):
        network_evaluator(chess_onnx, game, backend="onnx")
    with pytest.raises(BackendError, match="unknown precision"):
        network_evaluator(CHESS_NET, make_game("chess"), backend="torch", precision="fp8")
