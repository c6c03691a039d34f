"""``python -m benchmarks.speed selfplay`` with a tiny budget: rates, ratios and scaling are reported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks.speed", "selfplay", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)


@pytest.mark.ray
def test_tiny_run_reports_rates_and_scaling() -> None:
    proc = _run("--workers", "1,2", "--seconds", "1", "--sims", "4", "--games-per-worker", "2", "--blocks", "1",
                "--channels", "8", "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert set(data["workers"]) == {"1", "2"}
    ref = data["inprocess"]["positions_per_s"]
    for r in data["workers"].values():
        assert r["positions"] > 0 and r["positions_per_s"] == r["positions"] / r["seconds"]
        assert r["ratio_vs_inprocess"] == pytest.approx(r["positions_per_s"] / ref)
    one, two = data["workers"]["1"]["positions_per_s"], data["workers"]["2"]["positions_per_s"]
    assert data["scaling_efficiency"] == pytest.approx(two / 2 / one)


@pytest.mark.ray
def test_chess_with_local_and_shared_inference(tmp_path: Path) -> None:
    """Chess from an ``--init`` checkpoint, each worker's own network against the shared inference actor."""
    import torch

    from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
    from agents.nets.core import NetConfig, build_network
    from games.registry import make_game

    torch.manual_seed(0)
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8), make_game("chess").spec)
    init = save_checkpoint(tmp_path / "tiny.pt", net, "chess", TrainingMetadata())
    proc = _run("--game", "chess", "--init", str(init), "--workers", "1", "--modes", "local,shared", "--seconds", "1",
                "--sims", "4", "--games-per-worker", "2", "--leaves-per-eval", "2", "--steps-per-call", "2", "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert data["game"] == "chess" and data["network"] == "resnet 1x8" and data["modes"] == ["local", "shared"]
    local, shared = data["by_mode"]["local"]["1"], data["by_mode"]["shared"]["1"]
    assert local["positions"] > 0 and shared["positions"] > 0 and shared["requests_per_pass"] == 1.0
    assert local["evaluations_per_s"] > 0 and local["positions_per_s_per_worker"] == local["positions_per_s"]
    assert data["ratio_shared_vs_local"]["1"] == pytest.approx(shared["positions_per_s"] / local["positions_per_s"])
    assert data["workers"] == data["by_mode"]["local"]


def test_bad_input() -> None:
    for args in (["--workers", "a,b"], ["--sims", "0"], ["--modes", "remote"], ["--game", "chess", "--init", "none.pt"]):
        proc = _run(*args, "--seconds", "0.1")
        assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr, (args, proc.stderr)
