"""``python -m benchmarks.poker spots``: single decisions re-solved and scored exactly, at a tiny scale; resuming
from spots.jsonl; bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.poker.cli import main
from games.cli import run_cli
from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprint

pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def test_spots_report_and_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spots"
    argv = ["spots", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--hands", "17", "--street", "2",
            "--iters", "4,16", "--modes", "unsafe,safe:0,safe:0.05", "--out", str(out), "--json"]
    assert run_cli(main, argv) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "results.json").read_text())
    assert saved["spots"] >= 1 and saved["hands_played"] == 17 and not saved["partial"]
    cells = saved["cells"]
    assert [(c["mode"], c["iters"]) for c in cells] == [
        (m, i) for i in (4, 16) for m in ("unsafe", "safe(estimate=0)", "safe(estimate=0.05)")]
    assert all(c["spots"] == saved["spots"] for c in cells)
    assert "minus_first_mbb" not in cells[0] and "minus_first_mbb" in cells[1]
    for c in cells:  # the paired difference is the difference of the means, spot by spot
        if "minus_first_mbb" in c:
            first = next(f for f in cells if f["iters"] == c["iters"] and f["mode"] == "unsafe")
            assert c["minus_first_mbb"]["mean"] == pytest.approx(c["gain_mbb"]["mean"] - first["gain_mbb"]["mean"])
    lines = (out / "spots.jsonl").read_text().splitlines()
    assert len(lines) == 6 * saved["spots"] and "provenance" in saved and printed["spots"] == saved["spots"]
    for name in ("report.md", "report.html", "spots.png"):
        assert (out / name).exists()
    assert run_cli(main, argv) == 0  # resumed: nothing is solved again
    assert (out / "spots.jsonl").read_text().splitlines() == lines
    assert json.loads((out / "results.json").read_text())["cells"] == cells


@pytest.mark.parametrize("extra, message", [
    (["--modes", "safe:-1"], "--modes"), (["--modes", "bold"], "--modes"), (["--iters", "0"], "--iters"),
    (["--hands", "0"], "--hands"), (["--max-minutes", "nan"], "--max-minutes"),
    (["--checkpoint", "missing.npz"], "missing.npz")])
def test_spots_bad_input(extra: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["spots", "--game", STRENGTH_GAME, "--checkpoint", str(strength_blueprint()), "--out", str(tmp_path), *extra]
    assert run_cli(main, argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]
