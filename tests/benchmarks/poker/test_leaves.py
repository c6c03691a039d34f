"""``python -m benchmarks.poker leaves`` (blueprint vs value-network vs exact leaves vs full depth), tiny budget."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import torch

from agents.nets.checkpoint import TrainingMetadata
from agents.nets.leduc_value import LeafNetConfig, LeafValueNet, save_leaf_net
from benchmarks.poker.tradeoff import main
from games.cli import run_cli

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.poker", "leaves", *args], capture_output=True, text=True,
                          timeout=300, env=ENV)


def test_leaf_comparison_report(tmp_path) -> None:
    torch.manual_seed(0)
    net = save_leaf_net(tmp_path / "v.pt", LeafValueNet(LeafNetConfig(hidden=8, layers=1)), TrainingMetadata())
    out_dir = tmp_path / "leaves"
    proc = _run("--net", str(net), "--blueprints", "10", "--subgame-iters", "0,6", "--leaf-every", "3", "--exact",
                "--exact-every", "3", "--out", str(out_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["variants"] == ["full", "blueprint", "net", "exact"] and out["safe_never_worse"]
    cells = {(c["variant"], c["subgame_iters"], c["safe"]): c for c in out["cells"]}
    assert len(cells) == 4 * 2 * 2
    for variant in out["variants"]:  # zero iterations is the blueprint itself in every row
        assert cells[(variant, 0, True)]["mbb_per_hand"] == cells[("full", 0, True)]["blueprint_mbb_per_hand"]
        assert cells[(variant, 6, True)]["exploitability"] <= cells[(variant, 6, True)]["blueprint_exploitability"]
    assert cells[("net", 6, False)]["exploitability"] != cells[("blueprint", 6, False)]["exploitability"]
    for name in ("report.md", "report.html", "results.json"):
        assert (out_dir / name).exists()
    assert "value-network leaves" in (out_dir / "report.md").read_text()


def test_bad_arguments_exit_2(tmp_path, capsys) -> None:
    for args in (["--blueprints", "x"], ["--leaf-every", "0"], ["--algo", "nope"], ["--net", str(tmp_path / "no.pt")]):
        assert run_cli(main, [*args, "--out", str(tmp_path / "o")]) == 2
        assert capsys.readouterr().err.startswith("error:"), args
    proc = _run("--net", str(tmp_path / "no.pt"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and "no.pt" in proc.stderr
