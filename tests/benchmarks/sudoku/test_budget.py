"""``python -m benchmarks.sudoku budget``: curves from a tiny run, held-out puzzles, bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.sudoku.budget import main
from games.cli import run_cli
from games.sudoku import canonical_form, parse_grid
from games.sudoku.canonical import random_symmetry
from games.sudoku.grid import format_grid, read_puzzle_lines
from search.sudoku import solve
from selfplay.sudoku_train.config import SudokuTrainConfig
from selfplay.sudoku_train.train import TRAIN_PUZZLES_FILE, train

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
"""Environment of the command lines run by the tests (one torch thread)."""


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A run of the (recurrent) sudoku network of two steps (three checkpoints)."""
    out = tmp_path_factory.mktemp("runs") / "tiny"
    train(SudokuTrainConfig(puzzles=3, max_steps=2, net="sudoku", iters=2, blocks=1, channels=8, batch_size=4,
                            checkpoints=2), out, set())
    return out


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.sudoku", "budget", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=240, env=ENV)


def test_budget_curves_report_and_training_puzzles_dropped(run, tmp_path):
    train_text = read_puzzle_lines((run / TRAIN_PUZZLES_FILE).read_text().splitlines())[0]
    disguised = format_grid(random_symmetry(parse_grid(train_text), np.random.default_rng(9)))
    hard = read_puzzle_lines((ROOT / "games" / "sudoku" / "data" / "hard.txt").read_text().splitlines())[:4]
    puzzles = tmp_path / "p.txt"
    puzzles.write_text("\n".join(hard + [disguised]) + "\n")
    out = tmp_path / "report"
    proc = _bench("--run", str(run), "--nodes", "0,4,64,256", "--iters", "1,3", "--threads", "1",
                  "--puzzles", str(puzzles),
                  "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["puzzles"] == 4 and res["dropped_as_training_equivalents"] == 1
    assert canonical_form(disguised) not in {canonical_form(p) for p in res["test_puzzles"]}
    nodes_l1 = [solve(p, level=1, limit=1).nodes for p in hard]
    assert res["classical"]["nodes"] == [min(n, 256) for n in nodes_l1]
    expected = [np.mean([n <= b for n in nodes_l1]) for b in (0, 4, 64, 256)]
    assert [res["classical"]["solve_rate"][b]["all"] for b in ("0", "4", "64", "256")] == pytest.approx(expected)
    (only,) = res["runs"]
    assert len(only["checkpoints"]) == 3 and sorted(only["iters"]) == ["1", "3"]
    for curve in [c["guided"] for c in only["checkpoints"]] + [v["guided"] for v in only["iters"].values()]:
        rates = [curve["solve_rate"][str(b)]["all"] for b in res["budgets"]]
        assert rates == sorted(rates)  # more budget never solves fewer
        assert all((n <= 256) for n in curve["nodes"])
    assert res["ratio_vs_classical_dfs"] is not None and res["ratio_vs_classical_dfs"] > 0
    capped = np.minimum(nodes_l1, 256)  # every puzzle is hard: the ratios are over all four
    assert res["classical"]["hard_nodes"] == {"mean": pytest.approx(np.mean(capped)),
                                              "median": pytest.approx(np.median(capped))}
    last = only["checkpoints"][-1]["guided"]
    assert last["ratio_mean"] == pytest.approx(last["hard_nodes"]["mean"] / np.mean(capped))
    assert res["median_ratio_vs_classical_dfs"] == pytest.approx(last["hard_nodes"]["median"] / np.median(capped))
    assert res["untrained_ratio_vs_classical_dfs"] == only["checkpoints"][0]["guided"]["ratio_mean"]
    assert res["trust"] == 0.9
    for name in ("report.md", "report.html", "results.json", "budget_all.png", "budget_hard.png", "iters_all.png", "iters_hard.png"):
        assert (out / name).is_file()
    written = json.loads((out / "results.json").read_text())
    assert written["provenance"]["command"].startswith("python -m benchmarks.sudoku budget --run ")
    assert "## How to make this again" in (out / "report.md").read_text()


def test_generated_test_set_and_bad_input(run, tmp_path, capsys):
    assert run_cli(main, ["--run", str(run), "--nodes", "1,16", "--generate", "3", "--seed", "4", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["puzzles"] == 3 and sum(res["bucket_counts"].values()) == 3
    train_forms = {canonical_form(p) for p in read_puzzle_lines((run / TRAIN_PUZZLES_FILE).read_text().splitlines())}
    assert not train_forms & {canonical_form(p) for p in res["test_puzzles"]}
    for args, word in ((["--run", str(run), "--nodes", "x"], "--nodes"), (["--run", str(tmp_path)], "no checkpoints"),
                       (["--run", str(run), "--level", "4"], "--level"), (["--run", str(run), "--trust", "-1"], "--trust")):
        assert run_cli(main, [*args, "--generate", "2"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and word in err


def _synthetic_results(budgets: list[int]) -> dict:
    """A results dict shaped as :func:`benchmarks.sudoku.budget.budget` returns it (made up solve rates)."""
    def curve(shift: float) -> dict:
        return {"solve_rate": {str(n): {"all": min(1.0, shift + i / len(budgets))} for i, n in enumerate(budgets)}}

    checkpoints = [{"path": f"models/sudoku/checkpoints/{step:06d}.pt", "steps": step,
                    "raw": {"solve_rate": {"all": 0.1 * i}}, "guided": curve(0.05 * i)}
                   for i, step in enumerate((0, 599, 1414, 2989, 4211))]
    iters = {str(k): {"raw": {"solve_rate": {"all": 0.1}}, "guided": curve(0.02 * k)} for k in (1, 2, 4, 8, 16)}
    return {"budgets": budgets, "classical": curve(0.0),
            "runs": [{"run": "models/sudoku", "checkpoints": checkpoints, "iters": iters}]}


def test_plots_are_titled_by_run_and_checkpoint_and_labels_do_not_run_together():
    import matplotlib.pyplot as plt

    from benchmarks.sudoku.budget_report import _budget_figure, _iters_figure, compact_number

    assert [compact_number(n) for n in (0, 512, 1024, 3000, 4096, 2**20)] == ["0", "512", "1k", "3000", "4k", "1M"]
    budgets = [0] + [2 ** k for k in range(11)]  # 0, 1, 2, ..., 1024: the shipped report's budgets
    results = _synthetic_results(budgets)
    for fig in (_budget_figure(results, "all"), _iters_figure(results, "all")):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        axes = [ax for ax in fig.axes if ax.get_xscale() == "symlog"]
        assert axes
        for ax in axes:
            assert "models/sudoku" in ax.get_title() or "recurrent" in ax.get_title()
            shown = [t for t in ax.get_xticklabels() if t.get_text()]
            assert shown[0].get_text() == "0" and shown[-1].get_text() == "1k" and 3 <= len(shown) <= 7
            boxes = [t.get_window_extent(renderer) for t in shown]
            for left, right in zip(boxes, boxes[1:]):
                assert left.x1 + 2 < right.x0, (left, right)  # a gap between neighbouring labels
            legend = [t.get_text() for t in ax.get_legend().get_texts()]
            assert any("004211.pt" in text for text in legend), legend
        plt.close(fig)
