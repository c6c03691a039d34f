"""The poker speed entry point runs with a tiny budget and prints one JSON object; bad input exits 2."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks.poker.games_speed", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_speed_cli_json() -> None:
    done = _run("--seconds", "0.05", "--hands", "2000", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["games"]) == {"kuhn_poker", "leduc_poker", "holdem_limit"}
    for figures in result["games"].values():
        assert figures["playouts_per_s"] > 0 and figures["ratio_vs_openspiel"] > 0
    assert result["hand_eval"]["numba_hands_per_s"] > 0 and result["hand_eval"]["ratio_vs_treys"] > 0


def test_speed_cli_bad_input() -> None:
    done = _run("--seconds", "0")
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
