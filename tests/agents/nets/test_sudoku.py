"""The sudoku-aware network: rule features, symmetries of sudoku, think longer, small checkpoints."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, load_network, save_checkpoint
from agents.nets.sudoku import SudokuNet, token_features
from agents.nets.core import NetConfig, build_network, count_parameters, flops_per_evaluation
from agents.nets.sudoku_scorer import legal_digits, observations
from games.core import GameSpec, UnsupportedGameError
from games.sudoku import SUDOKU_SPEC, SudokuGame, parse_grid
from games.sudoku.grid import read_puzzle_lines

ROOT = Path(__file__).resolve().parents[3]
HARD = read_puzzle_lines((ROOT / "games" / "sudoku" / "data" / "hard.txt").read_text().splitlines())


@pytest.fixture(scope="module")
def grids() -> np.ndarray:
    """int8 [12, 81]: hard puzzles, the last six after ten random legal placements (maybe unsolvable)."""
    puzzles = np.stack([parse_grid(p) for p in HARD[:12]])
    rng = np.random.default_rng(0)
    out = puzzles.copy()
    for g in out[6:]:  # a few random legal placements: grids that need not be solvable
        for _ in range(10):
            legal = legal_digits(g[None])[0]
            cells = np.flatnonzero(legal.any(axis=1))
            if not len(cells):
                break
            cell = int(rng.choice(cells))
            g[cell] = int(rng.choice(np.flatnonzero(legal[cell]))) + 1
    return out


@pytest.fixture(scope="module")
def net() -> SudokuNet:
    torch.manual_seed(0)
    model = build_network(NetConfig(kind="sudoku", blocks=2, channels=8, iters=3), SUDOKU_SPEC).eval()
    assert isinstance(model, SudokuNet)
    return model


def _run(net: SudokuNet, grids: np.ndarray, iters: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        logits, values = net(torch.from_numpy(observations(grids, grids > 0)), iters=iters)
    return logits.numpy().reshape(-1, 81, 9), values.numpy()


def test_features_hold_the_rules(grids):
    feats = token_features(torch.from_numpy(observations(grids, grids > 0))).numpy().reshape(-1, 81, 9, 4)
    onehot = grids[:, :, None] == np.arange(1, 10)
    assert np.array_equal(feats[..., 0] > 0, onehot)
    assert np.array_equal(feats[..., 1] > 0, legal_digits(grids))  # candidates = legal digits
    assert np.array_equal(feats[..., 2] > 0, np.broadcast_to((grids == 0)[:, :, None], onehot.shape))
    assert np.array_equal(feats[..., 3] > 0, np.broadcast_to((grids > 0)[:, :, None], onehot.shape))


def test_outputs_follow_relabelled_digits_and_moved_rows_columns_bands(net, grids):
    """The rules do not change when digits are relabelled, rows (columns) move within their band (stack)
    or bands (stacks) move: neither does the network (its logits move with the cells and digits).
    Rows and columns have their own weights, so a transposition is not among these symmetries."""
    logits, values = _run(net, grids)
    assert logits.shape == (12, 81, 9) and np.all(np.abs(values) <= 1)
    rng = np.random.default_rng(1)
    perm = rng.permutation(9)
    relabelled = np.where(grids > 0, perm[np.maximum(grids, 1) - 1] + 1, 0).astype(np.int8)
    l2, v2 = _run(net, relabelled)
    assert np.allclose(l2[:, :, perm], logits, atol=1e-4) and np.allclose(v2, values, atol=1e-5)
    rows = np.concatenate([3 * b + rng.permutation(3) for b in rng.permutation(3)])
    cols = np.concatenate([3 * b + rng.permutation(3) for b in rng.permutation(3)])
    moved = grids.reshape(-1, 9, 9)[:, rows][:, :, cols].reshape(-1, 81)
    l3, v3 = _run(net, moved)
    expected = logits.reshape(-1, 9, 9, 9)[:, rows][:, :, cols].reshape(-1, 81, 9)
    assert np.allclose(l3, expected, atol=1e-4) and np.allclose(v3, values, atol=1e-5)


def test_one_layer_connects_exactly_the_constraints_of_sudoku():
    """A change of the hidden vector of (cell 40, digit 5) reaches, in one layer, the other digits of
    cell 40 and digit 5 in row 4, column 4 and the centre box: the exact cover constraints, nothing else."""
    torch.manual_seed(3)
    net = build_network(NetConfig(kind="sudoku", blocks=1, channels=8, iters=1), SUDOKU_SPEC).eval()
    layer = net.block[0]
    h = torch.randn(1, 9, 9, 9, 8)
    bumped = h.clone()
    bumped[0, 4, 4, 4] += 1.0  # row 4, column 4 (cell 40), digit 5 (index 4)
    with torch.no_grad():
        moved = (layer(bumped) - layer(h)).abs().amax(dim=-1)[0] > 1e-6  # [rows, columns, digits]
    r, c, d = np.meshgrid(np.arange(9), np.arange(9), np.arange(9), indexing="ij")
    same_cell = (r == 4) & (c == 4)
    same_digit_unit = (d == 4) & ((r == 4) | (c == 4) | ((r // 3 == 1) & (c // 3 == 1)))
    assert np.array_equal(moved.numpy(), same_cell | same_digit_unit)


def test_think_longer_is_the_same_block_iterated(net, grids):
    obs = torch.from_numpy(observations(grids, grids > 0))
    with torch.no_grad():
        l3, v3 = net(obs)
        l7, v7 = net(obs, iters=7)
        by_hand = net.heads(net.iterate(obs, net.iterate(obs, net.initial_state(obs), 3), 4))
        every = net.forward_all(obs, iters=7)
    assert torch.allclose(l7, by_hand[0], atol=1e-5) and torch.allclose(v7, by_hand[1], atol=1e-5)
    assert not torch.allclose(l3, l7)
    assert len(every) == 7 and torch.allclose(every[2][0], l3, atol=1e-5) and torch.allclose(every[6][0], l7, atol=1e-5)
    assert flops_per_evaluation(net, iters=6) > flops_per_evaluation(net, iters=3) > 0
    with pytest.raises(ValueError, match="iters"):
        net(obs, iters=0)


def test_progressive_output_trains_the_shared_block():
    net = build_network(NetConfig(kind="sudoku", blocks=1, channels=4, iters=3), SUDOKU_SPEC)
    obs = torch.from_numpy(observations(np.zeros((2, 81), np.int8), np.zeros((2, 81), bool)))
    full, partial = net.progressive_forward(obs, torch.Generator().manual_seed(1))
    (full[0].sum() + partial[0].sum() + partial[1].sum()).backward()
    assert net.block[0].self_in.weight.grad is not None and net.block[0].self_in.weight.grad.abs().sum() > 0


def test_checkpoint_is_small_and_round_trips(tmp_path, net, grids):
    path = save_checkpoint(tmp_path / "n.pt", net, "sudoku", TrainingMetadata())
    assert path.stat().st_size < 100_000  # every tensor is a trained parameter: no fixed 729-row read-out
    assert count_parameters(net) == sum(p.numel() for p in net.state_dict().values())
    loaded, ckpt = load_network(path, SudokuGame())
    assert ckpt.network.kind == "sudoku"
    with torch.no_grad():
        obs = torch.from_numpy(observations(grids, grids > 0))
        assert torch.equal(loaded(obs)[0], net(obs)[0])


def test_other_games_are_refused():
    board = GameSpec(name="board", num_players=2, num_actions=7, observation_shape=(3, 6, 7), max_game_length=42,
                     min_utility=-1, max_utility=1, zero_sum=True, perfect_information=True, has_chance=False)
    with pytest.raises(UnsupportedGameError, match="sudoku"):
        build_network(NetConfig(kind="sudoku", channels=8), board)
