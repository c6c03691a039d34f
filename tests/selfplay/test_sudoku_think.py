"""Training of the thinking network: positions and labels against the exact solver, the held-out check by
canonical form, symmetries, the pool, the losses, and the CLI (a tiny run, resumed; bad input)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import latest_checkpoint, list_checkpoints, load_checkpoint
from agents.nets.core import build_network
from games.sudoku import SUDOKU_SPEC, canonical_form, check_answer
from games.sudoku.generator import generate_puzzle
from selfplay.sudoku_think.config import ThinkConfigError, ThinkTrainConfig
from selfplay.sudoku_think.data import (PARTIAL, PUZZLE, WRONG, PositionMaker, PositionPool, Positions, apply_symmetries,
                                        form_hash, random_symmetries, read_train_forms)
from selfplay.sudoku_think.loss import make_targets, think_loss, train_step
from selfplay.sudoku_think.train import train

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
TINY = ThinkTrainConfig(channels=8, iters=3, value_hidden=8, batch_size=8, steps=4, checkpoint_every=2, log_every=1,
                        eval_every=2, eval_puzzles=2, workers=0, puzzles_per_call=16, min_pool=16, pool_size=64)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def made() -> Positions:
    return PositionMaker(set(), puzzle_share=0.4, partial_share=0.3, seed=5).make(24)


def test_positions_are_labelled_by_the_exact_solver(made: Positions) -> None:
    assert set(made.kinds.tolist()) == {PUZZLE, PARTIAL, WRONG}
    for grid, givens, solution, kind in zip(made.grids, made.givens, made.solutions, made.kinds):
        assert np.all(grid[givens] > 0)
        if kind == WRONG:
            assert not solution.any()  # one wrong digit: no solution
            continue
        assert check_answer(np.where(givens, grid, 0), solution) is None
        assert np.all((grid == 0) | (grid == solution))
        if kind == PUZZLE:
            assert np.array_equal(grid > 0, givens)


def test_heldout_puzzles_are_never_made() -> None:
    """A maker whose held-out set holds the forms of the puzzles its seed would make skips them all."""
    rng = np.random.default_rng([1, 2])
    first = [generate_puzzle(rng)[0] for _ in range(3)]
    heldout = {canonical_form(p) for p in first}
    maker = PositionMaker(heldout, puzzle_share=1.0, partial_share=0.0, seed=[1, 2])
    made = maker.make(3)
    assert maker.heldout_skipped == 3
    assert not {form_hash(f) for f in heldout} & set(made.forms.tolist())
    assert all(canonical_form(p) not in heldout for p in made.grids)


def test_symmetries_keep_positions_valid(made: Positions) -> None:
    rng = np.random.default_rng(0)
    moved = apply_symmetries(made, *random_symmetries(rng, len(made)))
    for before, after in zip(made.take(np.flatnonzero(made.kinds == PUZZLE)).grids,
                             moved.take(np.flatnonzero(made.kinds == PUZZLE)).grids):
        assert canonical_form(before) == canonical_form(after)
    solvable = moved.solutions.any(axis=1)
    for grid, givens, solution in zip(moved.grids[solvable], moved.givens[solvable], moved.solutions[solvable]):
        assert check_answer(np.where(givens, grid, 0), solution) is None
        assert np.all((grid == 0) | (grid == solution))
    assert np.array_equal(moved.givens.sum(axis=1), made.givens.sum(axis=1))


def test_pool_keeps_the_newest_and_samples(made: Positions) -> None:
    pool = PositionPool(10)
    pool.add(made)
    assert pool.size == 10 and pool.added == 24
    kept = {canonical_form(g) for g in made.grids[-10:]}
    drawn = pool.sample(30, np.random.default_rng(1))
    assert len(drawn) == 30 and {canonical_form(g) for g in drawn.grids} <= kept


def test_config_refuses_bad_values() -> None:
    with pytest.raises(ThinkConfigError):
        ThinkTrainConfig(progressive_alpha=1.5)
    with pytest.raises(ThinkConfigError):
        ThinkTrainConfig(puzzle_share=0.8, partial_share=0.4)
    with pytest.raises(ThinkConfigError):
        ThinkTrainConfig.from_dict({"channels": 8, "colour": "red"})


@pytest.mark.parametrize("alpha,every", [(0.5, True), (0.0, False), (1.0, True)])
def test_think_loss_parts_and_gradients(made: Positions, alpha: float, every: bool) -> None:
    cfg = ThinkTrainConfig(channels=8, iters=3, value_hidden=8, progressive_alpha=alpha, every_iteration=every)
    torch.manual_seed(0)
    model = build_network(cfg.net_config(), SUDOKU_SPEC)
    targets = make_targets(made, "cpu")
    assert targets.policy.shape == (24, 81) and bool((targets.value[torch.from_numpy(made.kinds == WRONG)] < 0).all())
    loss, figures = think_loss(model, targets, cfg, np.random.default_rng(0))
    loss.backward()
    assert torch.isfinite(loss) and ("full_loss" in figures) == (alpha < 1) and ("progressive_loss" in figures) == (alpha > 0)
    n_draw = int(np.random.default_rng(0).integers(0, cfg.iters))  # think_loss's first draw: the progressive n
    for name, p in model.named_parameters():  # the embedding has gradient only from a pass that starts at it
        assert (p.grad is not None) == (not name.startswith("embed") or alpha < 1 or n_draw == 0), name
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    first = float(train_step(model, optimizer, made, cfg, np.random.default_rng(1), torch.device("cpu"))["loss"])
    for _ in range(5):
        last = float(train_step(model, optimizer, made, cfg, np.random.default_rng(1), torch.device("cpu"))["loss"])
    assert last < first  # the same batch: the loss goes down


def test_train_writes_checkpoints_metrics_records_and_resumes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    heldout = [str(ROOT / "games" / "sudoku" / "data" / "hard.txt")]
    summary = train(TINY, run, heldout)
    assert summary["steps"] == 4 and [p.name for p in list_checkpoints(run)] == ["000000.pt", "000002.pt", "000004.pt"]
    meta = load_checkpoint(latest_checkpoint(run)).metadata
    assert meta.learner_steps == 4 and meta.samples == 32 and meta.compute_flops > 0
    assert len((run / "heldout_forms.txt").read_text().split()) == 200
    forms = read_train_forms(run)
    assert forms is not None and len(forms) >= 16 and summary["puzzles"] >= 16
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [1, 2, 3, 4] and "heldout/hard_at_3" in lines[1]
    resumed = train(ThinkTrainConfig(**{**TINY.to_dict(), "steps": 6}), run, heldout, resume=True)
    assert resumed["start_step"] == 4 and resumed["steps"] == 6
    assert [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3, 4, 5, 6]
    assert load_checkpoint(latest_checkpoint(run)).metadata.samples == 48


def test_cli_tiny_run_and_bad_input(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "selfplay.sudoku_think", "--out", str(tmp_path / "run"), "--workers", "0",
            "--steps", "2", "--channels", "8", "--iters", "2", "--batch-size", "4", "--min-pool", "8",
            "--puzzles-per-call", "8", "--eval-every", "0", "--quiet", "--json"]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["steps"] == 2
    again = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    assert again.returncode == 2 and again.stderr.strip().startswith("error:") and "--resume" in again.stderr
    bad = subprocess.run(args[:4] + [str(tmp_path / "other"), "--progressive-alpha", "2"], capture_output=True,
                         text=True, cwd=ROOT, env=ENV, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--progressive-alpha" in bad.stderr
