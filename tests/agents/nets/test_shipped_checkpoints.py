"""Every checkpoint shipped under models/ loads with today's code and evaluates a position.

A checkpoint is weights + the network's config (no pickled classes), so moving a module does not break
it; this test is the proof for each shipped file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import FORMAT_NAME, load_checkpoint, load_network
from agents.nets.evaluator import TorchEvaluator
from agents.nets.leduc_value import FORMAT_NAME as LEAF_FORMAT
from agents.nets.leduc_value import NUM_HANDS, POTS, encode, load_leaf_net
from games.registry import make_game

MODELS = Path(__file__).resolve().parents[3] / "models"
SHIPPED = sorted(MODELS.rglob("*.pt"))

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_models_are_shipped() -> None:
    assert {p.relative_to(MODELS).parts[0] for p in SHIPPED} >= {"chess", "connect_four", "sudoku", "leduc_value"}


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(MODELS)) for p in SHIPPED])
def test_shipped_checkpoint_loads_and_evaluates(path: Path) -> None:
    kind = torch.load(path, map_location="cpu", weights_only=True)["format"]
    if kind == LEAF_FORMAT:
        model, meta = load_leaf_net(path)
        ranges = np.full((1, 2, NUM_HANDS), 1.0 / NUM_HANDS)
        with torch.inference_mode():
            values = model(torch.from_numpy(encode(np.array([POTS[0]]), ranges)))
        assert values.shape == (1, NUM_HANDS, NUM_HANDS) and torch.isfinite(values).all()
        assert meta.learner_steps > 0
        return
    assert kind == FORMAT_NAME
    ckpt = load_checkpoint(path)
    game = make_game(ckpt.game)
    model, _ = load_network(path, game)
    state = game.new_state(np.random.default_rng(0))
    logits, values = TorchEvaluator(model)(state.observation()[None], state.legal_action_mask()[None])
    assert logits.shape == (1, game.spec.num_actions) and np.isfinite(logits).all()
    assert -1.0 <= float(values[0]) <= 1.0
