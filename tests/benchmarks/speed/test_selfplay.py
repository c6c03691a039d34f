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


def test_bad_input() -> None:
    for args in (["--workers", "a,b"], ["--sims", "0"]):
        proc = _run(*args, "--seconds", "0.1")
        assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr, (args, proc.stderr)
