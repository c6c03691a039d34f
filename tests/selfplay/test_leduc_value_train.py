"""Leaf value network training: PBS sources, labels against the exact solver, and the CLI with a tiny budget."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from agents.nets.leduc_value import VALUE_SCALE, deal_weight, load_leaf_net
from search.cfr import game_tree
from search.cfr.leaf_solve import ExactLeafValues
from games.cli import run_cli
from selfplay.leduc_value_train.data import DataConfig, PBSSource, boundary_nodes, label
from selfplay.leduc_value_train.train import main

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def test_pbs_sources_give_boundary_states_and_exact_labels() -> None:
    tree = game_tree("leduc_poker")
    source = PBSSource(tree, DataConfig(search_iters=20), np.random.default_rng(0))
    nodes = set(boundary_nodes(tree).tolist())
    assert len(nodes) == 5
    for batch in (source.blueprint_pbs(), source.search_pbs(None)):
        assert batch and all(n in nodes and r.shape == (2, 6) for n, r in batch)
        pbs = source.perturb(batch[0][1])
        np.testing.assert_allclose(pbs.sum(axis=1), 1.0)
        assert np.all(pbs >= 0.0)
    oracle = ExactLeafValues(tree, 100)
    node, ranges = batch[0]
    target = label(oracle, node, ranges)
    np.testing.assert_allclose(target * VALUE_SCALE * deal_weight(), oracle.solve(node, ranges), atol=1e-6)
    assert np.all(np.diag(target) == 0.0) and np.abs(target).max() * VALUE_SCALE <= 13.0  # 5 + 4 + 4 chips at most


def test_train_cli_tiny_budget(tmp_path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "selfplay.leduc_value_train", "--out", str(out), "--generations", "2",
                           "--pbs", "20", "--steps", "10", "--holdout", "10", "--label-iters", "50", "--hidden", "16",
                           "--json"], capture_output=True, text=True, timeout=300, env=ENV)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["generation"] == 2 and summary["samples"] == 40 and summary["steps"] == 20
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 2
    model, meta = load_leaf_net(out / "leaf_value.pt")
    assert meta.learner_steps == 20 and model.config.hidden == 16


def test_train_cli_bad_arguments(tmp_path, capsys) -> None:
    for args in (["--label-iters", "0"], ["--minutes", "0"], ["--pbs", "0"]):
        assert run_cli(main, ["--out", str(tmp_path / "run"), *args]) == 2
        assert capsys.readouterr().err.startswith("error:"), args
