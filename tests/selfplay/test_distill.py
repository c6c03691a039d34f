"""Stockfish distillation: labels against Stockfish itself, the shard codec, and the CLI end to end."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import chess
import chess.engine
import numpy as np
import pytest
import torch

from agents.nets.checkpoint import list_checkpoints, load_checkpoint
from agents.registry import make_agent
from agents.stockfish import find_stockfish
from games.registry import make_game
from selfplay.distill.data import LabelConfig, label_from_scores, label_position
from selfplay.distill.store import (DatasetError, LabelledPosition, ShardWriter, decode_observations,
                                    encode_observations, load_dataset, pack_masks, unpack_masks)

ROOT = Path(__file__).resolve().parents[2]
BACK_RANK_MATE = "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1"
"""White mates in one with Ra8# (the only mate)."""


def _has_stockfish() -> bool:
    try:
        find_stockfish(None)
    except Exception:  # noqa: BLE001
        return False
    return True


needs_stockfish = pytest.mark.skipif(not _has_stockfish(), reason="stockfish not installed")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "selfplay.distill", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=240)


def _positions(count: int, seed: int) -> list:
    """Chess states from random games (every ply of several games, so histories vary)."""
    game = make_game("chess")
    rng = np.random.default_rng(seed)
    states = []
    while len(states) < count:
        state = game.new_state()
        while not state.is_terminal() and len(states) < count:
            states.append(state.copy())
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
    return states


def test_label_from_scores_softmax_value_and_mates() -> None:
    cfg = LabelConfig(policy_temperature=100.0, value_scale=400.0)
    pov = chess.engine.Cp
    label = label_from_scores([7, 3, 9], [pov(0), pov(50), pov(-100)], cfg)
    assert label.actions.tolist() == [3, 7, 9]  # best first
    expected = np.exp(np.array([0.0, -0.5, -1.5]))
    np.testing.assert_allclose(label.probs, expected / expected.sum(), rtol=1e-6)
    assert label.value == pytest.approx(math.tanh(50 / 400))
    # A shorter mate beats a longer one; any mate beats a huge material edge; value is +1.
    mate = label_from_scores([1, 2, 3], [chess.engine.Mate(3), chess.engine.Mate(1), pov(5000)], cfg)
    assert mate.actions.tolist() == [2, 1, 3] and mate.value == 1.0
    assert mate.probs[0] > mate.probs[1] > mate.probs[2]
    lost = label_from_scores([4, 5], [chess.engine.Mate(-2), chess.engine.Mate(-5)], cfg)
    assert lost.actions.tolist() == [5, 4] and lost.value == -1.0  # delay the mate
    with pytest.raises(ValueError):
        label_from_scores([1], [], cfg)


@needs_stockfish
def test_labels_agree_with_stockfish_on_positions() -> None:
    game = make_game("chess")
    cfg = LabelConfig(depth=6, multipv=3)
    engine = chess.engine.SimpleEngine.popen_uci([find_stockfish(None)])
    try:
        state = game.state_from_string(BACK_RANK_MATE)
        label = label_position(engine, state, cfg)
        assert state.action_to_string(int(label.actions[0])) == "Ra8#"
        assert label.value == 1.0 and label.probs[0] == label.probs.max()
        played = engine.play(state.board, chess.engine.Limit(depth=6)).move
        assert int(label.actions[0]) == state.move_to_action(played)
        # The side to move is mated in one after a quiet move: value from the mover's view is -1.
        lost = game.state_from_string("6k1/5ppp/8/8/8/8/8/R6K b - - 0 1")
        assert label_position(engine, lost, cfg).value < 0
        for s in _positions(12, seed=3)[::3]:
            lab = label_position(engine, s, cfg)
            legal = set(s.legal_actions().tolist())
            assert set(lab.actions.tolist()) <= legal and len(lab.actions) == min(3, len(legal))
            assert lab.probs.sum() == pytest.approx(1.0) and -1.0 <= lab.value <= 1.0
    finally:
        engine.quit()


def test_observation_codec_and_masks_round_trip(tmp_path: Path) -> None:
    states = _positions(400, seed=1)
    obs = np.stack([s.observation() for s in states])
    bits, scales = encode_observations(obs)
    assert bits.shape == (400, 119 * 64 // 8) and scales.shape == (400, 119)
    np.testing.assert_array_equal(decode_observations(bits, scales, obs.shape[1:]), obs)
    masks = np.stack([s.legal_action_mask() for s in states])
    np.testing.assert_array_equal(unpack_masks(pack_masks(masks), masks.shape[1]), masks)
    noisy = obs.copy()
    noisy[0, 0, 0, 0] = 0.5  # a plane that is neither binary nor constant
    with pytest.raises(ValueError, match="neither binary nor constant"):
        encode_observations(noisy)
    # Shards: written every 150 positions plus the flush; the dense policy puts the mass on legal moves.
    writer = ShardWriter(tmp_path, max_policy=3, shard_size=150)
    rng = np.random.default_rng(0)
    for s, o, m in zip(states, obs, masks):
        legal = s.legal_actions()
        chosen = rng.choice(legal, size=min(3, len(legal)), replace=False)
        writer.add(LabelledPosition(observation=o, legal_mask=m, actions=chosen.astype(np.int32),
                                    probs=np.full(len(chosen), 1 / len(chosen), np.float32), value=0.25, key=str(s)))
    writer.flush()
    assert len(list(tmp_path.glob("shard_*.npz"))) == 3
    data = load_dataset(tmp_path)
    assert len(data) == 400 and list(data.keys) == [str(s) for s in states]
    batch = data.batch(np.arange(10, 20), (119, 8, 8), 4672)
    np.testing.assert_array_equal(batch["observations"], obs[10:20])
    np.testing.assert_allclose(batch["policies"].sum(axis=1), 1.0, rtol=1e-6)
    assert not (batch["policies"] > 0)[~batch["legal_masks"]].any()
    with pytest.raises(DatasetError, match="no labelled positions"):
        load_dataset(tmp_path / "empty")


@needs_stockfish
def test_cli_end_to_end_resume_and_net_agent(tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = ["--depth", "2", "--multipv", "3", "--net-blocks", "1", "--net-channels", "8", "--batch-size", "16",
              "--epochs", "2", "--checkpoints", "3", "--threads", "1", "--quiet", "--out", str(out)]
    proc = _run("chess", "--positions", "36", *common, "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["positions"] == 36 and result["steps"] == 4 and len(result["checkpoints"]) == 3
    data = load_dataset(out / "data")
    assert len(data) == 36 and len(set(data.keys.tolist())) == 36  # de-duplicated
    assert np.all((data.values >= -1) & (data.values <= 1))
    first = list_checkpoints(out)
    assert [int(p.stem) for p in first] == [1, 2, 4]
    raw = torch.load(first[-1], weights_only=True)
    assert raw["metadata"]["training"].startswith("distilled from Stockfish depth 2 (MultiPV 3) on 36 positions")
    ckpt = load_checkpoint(first[-1])
    assert ckpt.metadata.learner_steps == 4 and ckpt.metadata.compute_flops > 0
    assert ckpt.metadata.training == raw["metadata"]["training"]
    side = json.loads(first[-1].with_suffix(".json").read_text())
    assert side["training"] == raw["metadata"]["training"]

    game = make_game("chess")
    agent = make_agent(f"net:{first[-1]}", game, seed=0)
    state = game.new_state()
    for _ in range(6):
        action = agent.act(state)
        assert state.is_legal(action)
        state.apply(action)

    proc = _run("chess", "--positions", "50", *common, "--resume")
    assert proc.returncode == 0, proc.stderr
    data = load_dataset(out / "data")
    assert len(data) == 50 and len(set(data.keys.tolist())) == 50
    later = [int(p.stem) for p in list_checkpoints(out)]
    assert later[:3] == [1, 2, 4] and later[-1] == 4 + 2 * (49 // 16)
    summary = json.loads((out / "distill.json").read_text())
    assert summary["generation"]["positions"] == 50 and summary["kind"] == "distillation"
    assert summary["run"]["positions"] == 50 and summary["argv"][-1] == "--resume"
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(steps) and steps[-1] == later[-1]  # one run's figures, in step order
    assert any(p.name.startswith("events.out.tfevents") for p in (out / "tensorboard").iterdir())


def test_cli_bad_input_is_one_line_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    cases = [
        (["connect_four", "--positions", "5", "--depth", "2", "--out", str(tmp_path / "a")], "needs chess"),
        (["chess", "--positions", "0", "--depth", "2", "--out", str(tmp_path / "b")], "--positions must be >= 1"),
        (["chess", "--positions", "5", "--depth", "2", "--out", str(tmp_path / "full")], "not empty"),
        (["chess", "--positions", "5", "--depth", "2", "--out", str(tmp_path / "c"), "--resume"], "nothing to resume"),
    ]
    for args, message in cases:
        proc = _run(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("error: ") and message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr



def test_split_holds_out_only_new_positions_on_resume() -> None:
    import numpy as np

    from selfplay.distill.trainer import split as _split

    class Indices:
        def __init__(self, index: np.ndarray) -> None:
            self.index = index

        def __len__(self) -> int:
            return len(self.index)

        def subset(self, index: np.ndarray) -> "Indices":
            return Indices(self.index[index])

    data = Indices(np.arange(10_000))
    train, val = _split(data, seed=3)
    assert len(val) == 200 and len(train) == 9_800
    assert not set(train.index) & set(val.index)
    fresh_train, fresh_val = _split(data, seed=3, first_new=0)
    assert list(fresh_val.index) == list(val.index)
    train, val = _split(data, seed=3, first_new=6_000)
    assert len(val) == 80 and val.index.min() >= 6_000  # 2% of the 4,000 new positions
    assert sorted([*train.index, *val.index]) == list(range(10_000))
    train, val = _split(data, seed=3, first_new=10_000)  # nothing new: the whole set again
    assert len(val) == 200
