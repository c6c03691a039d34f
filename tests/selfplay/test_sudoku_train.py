"""Sudoku network training: positions and labels against the exact solver, the loss, the CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import list_checkpoints, load_network
from agents.nets.sudoku_scorer import legal_digits
from games.sudoku import SudokuGame, canonical_form, check_answer
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve_many
from selfplay.sudoku_train.data import correct_positions, deduce, label, make_puzzle_set, network_fill, random_wrong_fill
from selfplay.sudoku_train.data import search_positions, symmetric_copies
from selfplay.sudoku_train.config import SudokuTrainConfig
from selfplay.sudoku_train.loss import balanced_mse, per_cell_policy, sudoku_loss, train_step
from selfplay.sudoku_train.train import TRAIN_PUZZLES_FILE, make_batch, train
from agents.nets.core import build_network
from games.sudoku import SUDOKU_SPEC

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
"""Environment of the command lines run by the tests (one torch thread)."""


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def pset():
    return make_puzzle_set(40, np.random.default_rng(3), set())


def _rule_abiding(grid: np.ndarray) -> bool:
    g = grid.reshape(9, 9)
    units = [g[r] for r in range(9)] + [g[:, c] for c in range(9)]
    units += [g[r:r + 3, c:c + 3].ravel() for r in (0, 3, 6) for c in (0, 3, 6)]
    return all(len(u[u > 0]) == len(set(u[u > 0].tolist())) for u in units)


def test_puzzle_set_is_distinct_under_symmetries_and_solutions_are_right(pset):
    forms = {canonical_form(t) for t in pset.texts}
    assert len(forms) == len(pset.texts) == 40
    assert all(check_answer(p, s) is None for p, s in zip(pset.puzzles, pset.solutions))
    excluded = make_puzzle_set(10, np.random.default_rng(3), set(forms))
    assert not {canonical_form(t) for t in excluded.texts} & forms


def test_symmetric_copies_keep_puzzle_and_solution_together(pset):
    puzzles, solutions = symmetric_copies(pset.puzzles, pset.solutions, np.random.default_rng(0))
    assert all(check_answer(p, s) is None for p, s in zip(puzzles, solutions))
    assert [canonical_form(p) for p in puzzles] == [canonical_form(p) for p in pset.puzzles]


def test_solver_labels_agree_with_known_solutions(pset):
    rng = np.random.default_rng(1)
    grids = correct_positions(pset.puzzles, pset.solutions, rng)
    wrong = random_wrong_fill(grids, pset.solutions, rng)
    both = np.concatenate([grids, wrong])
    sols = np.concatenate([pset.solutions, pset.solutions])
    givens = np.concatenate([pset.puzzles, pset.puzzles]) > 0
    by_solver, by_solution = label(both, givens, None), label(both, givens, sols)
    assert np.array_equal(by_solver.value, by_solution.value)
    assert np.array_equal(by_solver.policy, by_solution.policy)
    assert np.all(by_solver.value[:40] == 1.0)
    changed = np.any(wrong != grids, axis=1)
    assert changed.sum() > 20 and np.all(by_solver.value[40:][changed] == -1.0)
    assert np.all(by_solver.policy[40:][changed] == -1)


def test_search_positions_are_correct_deduced_and_unsolved(pset):
    rng = np.random.default_rng(4)
    grids = search_positions(pset.puzzles, pset.solutions, rng, level=1)
    assert np.all((pset.puzzles == 0) | (grids == pset.puzzles))  # the givens stay
    assert np.all((grids == 0) | (grids == pset.solutions))  # every digit is the solution's
    assert np.all(np.any(grids == 0, axis=1))  # the deductions left work to do
    legal = legal_digits(grids)
    assert not np.any((grids == 0) & (legal.sum(axis=2) == 1))  # no naked single is left (level 1)
    again, dead = deduce(grids, 1)
    assert np.array_equal(again, grids) and not dead.any()  # deductions are already done
    blanks = np.sum(grids == 0, axis=1)
    assert blanks.max() - blanks.min() > 5  # spread over the search, not one depth


def test_deduce_flags_contradictions_and_keeps_placements(pset):
    rng = np.random.default_rng(7)
    grids = correct_positions(pset.puzzles, pset.solutions, rng)
    logp = np.where(legal_digits(grids), np.log(rng.random((40, 81, 9))), -np.inf)
    filled = network_fill(grids, logp, rng, max_fill=8)  # random placements: many are wrong
    out, dead = deduce(filled, 1)
    counts = solve_many(filled, level=3, limit=1).counts
    assert dead.any() and np.all(counts[dead] == 0)  # a contradiction is never claimed for a solvable grid
    assert np.array_equal(out[dead], filled[dead])  # and such a grid comes back unchanged
    alive = ~dead
    assert np.all((filled[alive] == 0) | (out[alive] == filled[alive]))
    assert not np.any((out[alive] == 0) & (legal_digits(out[alive]).sum(axis=2) == 1))
    assert np.array_equal(solve_many(out[alive], level=3, limit=1).counts, counts[alive])


def test_network_fill_places_legal_digits_only(pset):
    rng = np.random.default_rng(2)
    grids = correct_positions(pset.puzzles, pset.solutions, rng)
    logp = np.where(legal_digits(grids), np.log(rng.random((40, 81, 9))), -np.inf)
    filled = network_fill(grids, logp, rng, max_fill=6)
    added = np.sum(filled != grids, axis=1)
    assert np.all(np.all((grids == 0) | (filled == grids), axis=1))
    open_choice = np.any(legal_digits(grids).sum(axis=2) >= 2, axis=1)  # some blank is not forced
    assert np.all((added >= 1) | ~open_choice) and np.all(added <= 6) and open_choice.sum() > 30
    forced = legal_digits(grids).sum(axis=2) == 1
    assert not np.any(forced & (filled != grids))  # forced cells are never the network's placements
    assert all(_rule_abiding(g) for g in filled)
    counts = solve_many(filled, level=3, limit=1).counts
    assert np.any(counts == 0)  # random placements go wrong


def test_loss_is_cross_entropy_per_cell_over_legal_digits():
    legal = torch.zeros(1, 81, 9, dtype=torch.bool)
    legal[0, 0, :2] = True
    legal[0, 1, :] = True
    logits = torch.zeros(1, 729)
    logits[0, 9 + 4] = 2.0
    policy = torch.full((1, 81), -1, dtype=torch.long)
    policy[0, 0], policy[0, 1] = 1, 4
    values, target = torch.tensor([0.5]), torch.tensor([1.0])
    loss, fig = sudoku_loss(logits, values, legal, policy, target, value_weight=2.0)
    ce0 = np.log(2.0)
    ce1 = -(2.0 - np.log(np.exp(2.0) + 8.0))
    assert fig["policy_loss"] == pytest.approx((ce0 + ce1) / 2, rel=1e-5)
    assert fig["value_loss"] == pytest.approx(0.25)
    assert loss.item() == pytest.approx((ce0 + ce1) / 2 + 0.5, rel=1e-5)


def test_unsolvable_grids_ask_for_a_uniform_policy_and_value_classes_weigh_the_same():
    legal = torch.zeros(2, 81, 9, dtype=torch.bool)
    legal[:, 0, :3] = True
    logits = torch.zeros(2, 729)
    logits[1, :3] = torch.tensor([3.0, 0.0, 0.0])
    policy = torch.full((2, 81), -1, dtype=torch.long)
    policy[0, 0] = 2
    target = torch.tensor([1.0, -1.0])
    _, fig = sudoku_loss(logits, torch.zeros(2), legal, policy, target, value_weight=0.0)
    logp1 = torch.log_softmax(torch.tensor([3.0, 0.0, 0.0]), 0)
    expected = (np.log(3.0) - logp1.mean().item()) / 2  # grid 0: CE of digit 3; grid 1: CE against uniform
    assert fig["policy_loss"] == pytest.approx(expected, rel=1e-5)
    assert fig["uniform_accuracy"] == pytest.approx(1 / 3)
    # one negative among three positives weighs as much as all of them
    values, labels = torch.tensor([1.0, 1.0, 1.0, 1.0]), torch.tensor([1.0, 1.0, 1.0, -1.0])
    assert balanced_mse(values, labels).item() == pytest.approx((0.0 + 4.0) / 2)
    assert balanced_mse(values[:3], labels[:3]).item() == 0.0


def test_sudoku_net_fits_a_batch_of_search_labelled_positions(pset):
    """A few dozen steps on one batch labelled by the solver (search targets, the network's own
    placements): the loss falls and the cell accuracy rises well above a uniform guess among legal
    digits (the policy loss has a floor: the uniform target of unsolvable grids)."""
    torch.manual_seed(0)
    cfg = SudokuTrainConfig(net="sudoku", iters=2, blocks=1, channels=8, batch_size=32, lr=1e-2, warmup_steps=1)
    model = build_network(cfg.net_config(), SUDOKU_SPEC)
    rng = np.random.default_rng(0)
    batch = make_batch(model, pset, cfg, rng)
    assert np.any(batch.value < 0) and np.any(batch.value > 0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(0)
    first = train_step(model, optimizer, batch, cfg, gen)
    for _ in range(40):
        last = train_step(model, optimizer, batch, cfg, gen)
    assert last["loss"] < first["loss"] - 0.05 and last["policy_loss"] < first["policy_loss"]
    assert first["cell_accuracy"] < first["uniform_accuracy"] + 0.1 < last["cell_accuracy"] - 0.05


def test_per_cell_policy_reads_each_cell_from_its_own_channels():
    cfg = SudokuTrainConfig(net="resnet", blocks=1, channels=8)
    model = build_network(cfg.net_config(), SUDOKU_SPEC)
    per_cell_policy(model)
    h = torch.randn(2, 8, 9, 9)
    logits, _ = model.heads(h)
    channels = torch.relu(model.heads.policy_conv(h)).flatten(2)  # [2, 18, 81]: part and digit, cell
    expected = (channels[:, :9] - channels[:, 9:]).transpose(1, 2).reshape(2, 729)  # (cell, digit) order
    assert torch.allclose(logits, expected)
    assert not model.heads.policy_fc.weight.requires_grad


def test_train_writes_checkpoints_of_both_kinds_and_ablation(tmp_path):
    cfg = SudokuTrainConfig(puzzles=4, max_steps=3, net="recurrent", iters=2, blocks=1, channels=8,
                            batch_size=8, checkpoints=2, targets="solution")
    summary = train(cfg, tmp_path / "rec", set())
    paths = list_checkpoints(tmp_path / "rec")
    assert [p.name for p in paths] == ["000000.pt", "000002.pt", "000003.pt"] and summary["steps"] == 3
    model, ckpt = load_network(paths[-1], SudokuGame())
    assert ckpt.network.kind == "recurrent" and ckpt.metadata.samples == 24
    with pytest.raises(Exception, match="already holds"):
        train(cfg, tmp_path / "rec", set())
    default = SudokuTrainConfig(puzzles=4, max_steps=2, iters=2, channels=8, batch_size=8, checkpoints=1)
    summary = train(default, tmp_path / "sudoku", set())
    paths = list_checkpoints(tmp_path / "sudoku")
    _, ckpt = load_network(paths[-1], SudokuGame())
    assert ckpt.network.kind == "sudoku" and summary["targets"] == "search" and summary["steps"] == 2
    assert all(p.stat().st_size < 100_000 for p in paths)  # no fixed read-out matrix in the file


def test_cli_keeps_training_puzzles_apart_from_the_test_set(tmp_path):
    test_file = tmp_path / "test.txt"
    test_file.write_text("".join(t + "\n" for t in make_puzzle_set(3, np.random.default_rng(5), set()).texts))
    out = tmp_path / "run"
    args = [sys.executable, "-m", "selfplay.sudoku_train", "--puzzles", "6", "--minutes", "1", "--max-steps", "2",
            "--net", "resnet", "--blocks", "1", "--channels", "8", "--batch-size", "8", "--checkpoints", "2",
            "--seed", "5", "--exclude", str(test_file), "--out", str(out), "--json"]
    proc = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert len(summary["checkpoints"]) == 3 and summary["targets"] == "search"
    train_forms = {canonical_form(p) for p in read_puzzle_lines((out / TRAIN_PUZZLES_FILE).read_text().splitlines())}
    test_forms = {canonical_form(p) for p in read_puzzle_lines(test_file.read_text().splitlines())}
    assert len(train_forms) == 6 and not train_forms & test_forms
    assert (out / "metrics.jsonl").read_text().strip()
    assert any(p.name.startswith("events.out.tfevents") for p in (out / "tensorboard").iterdir())
    bad = subprocess.run([sys.executable, "-m", "selfplay.sudoku_train", "--net", "mlp", "--out", str(tmp_path / "x")],
                         cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "--net" in bad.stderr
