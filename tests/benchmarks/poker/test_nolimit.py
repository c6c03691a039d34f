"""``python -m benchmarks.poker lbr|nolimit``: LBR from the command line, the no-limit trade-off report at
a tiny scale, head-to-head with AIVAT, and bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.poker.cli import main
from benchmarks.poker.nolimit_match import headsup_nolimit
from games.cli import run_cli
from tests.nolimit_blueprints import STRENGTH_GAME, strength_blueprints


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def test_lbr_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(main, ["lbr", "holdem_nolimit", "fold", "--hands", "4", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mbb_per_hand"] == 750.0 and out["hands"] == 4 and out["spec"] == "fold"


def test_tradeoff_report_at_tiny_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small, big = strength_blueprints()
    out = tmp_path / "report"
    argv = ["nolimit", "--game", STRENGTH_GAME, "--checkpoint", str(big), "--checkpoints", f"{small},{big}",
            "--iters", "0,20", "--lbr-hands", "2", "--pairs", "1", "--workers", "1", "--runouts", "100",
            "--out", str(out), "--json"]
    assert run_cli(main, argv) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "results.json").read_text())
    assert [r["budget"] for r in saved["rows"]] == [0, 20] and saved["unit"] == "iterations"
    assert saved["rows"][0]["spec"].startswith("cfr:") and saved["rows"][1]["spec"].startswith("subgame:")
    assert saved["rows"][1]["spec"].endswith(",estimate=0.05")  # the gadget's default, in the chunks' keys
    assert "lbr" in saved["rows"][0] and "aivat" in saved["rows"][1]["vs_blueprint"]
    paired = saved["rows"][1]["lbr_minus_blueprint"]  # hand by hand; its mean is the difference of the means
    assert "lbr_minus_blueprint" not in saved["rows"][0] and paired["hands"] == 2 and paired["complete"]
    for key in ("mbb_per_hand", "allin_ev_mbb_per_hand"):
        assert paired[key] == pytest.approx(saved["rows"][1]["lbr"][key] - saved["rows"][0]["lbr"][key])
    assert [b["iterations"] for b in saved["blueprints"]] == [10_000, 20_000]
    assert "vs_reference" in saved["blueprints"][0] and "vs_reference" not in saved["blueprints"][1]
    assert "provenance" in saved and printed["out"] == str(out)
    for name in ("report.md", "report.html", "budget.png", "blueprint.png"):
        assert (out / name).exists()
    assert "How to make this again" in (out / "report.md").read_text()
    assert saved["chunks_missing"] == 0 and "Partial" not in (out / "report.md").read_text()
    lines = (out / "chunks.jsonl").read_text().splitlines()
    assert len(lines) == len(set(json.loads(line)["key"] for line in lines))  # budget 0 = the reference's LBR
    assert run_cli(main, [*argv, "--report-only"]) == 0  # from chunks.jsonl alone: the same rows
    again = json.loads((out / "results.json").read_text())
    assert again["rows"] == saved["rows"] and again["blueprints"] == saved["blueprints"]
    replaced = tmp_path / "replaced.npz"  # a file shipped again under the same name starts new chunks
    replaced.write_bytes(small.read_bytes())
    other = [*argv[:argv.index("--checkpoints")], *argv[argv.index("--checkpoints") + 2:]]
    other[other.index(str(big))] = str(replaced)
    assert run_cli(main, [*other, "--report-only"]) == 0
    before = json.loads((out / "results.json").read_text())
    replaced.write_bytes(big.read_bytes())
    assert run_cli(main, [*other, "--report-only"]) == 0
    after = json.loads((out / "results.json").read_text())
    assert before["chunks_missing"] == after["chunks_missing"] == 3 and "lbr" not in after["rows"][0]


def test_tradeoff_stops_at_the_deadline_and_resumes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, big = strength_blueprints()
    out = tmp_path / "report"
    argv = ["nolimit", "--game", STRENGTH_GAME, "--checkpoint", str(big), "--iters", "0,10", "--lbr-hands", "24",
            "--pairs", "2", "--workers", "1", "--runouts", "100", "--out", str(out), "--json"]
    assert run_cli(main, [*argv, "--max-minutes", "1e-9"]) == 0  # past the deadline at once: nothing played
    partial = json.loads((out / "results.json").read_text())
    assert partial["chunks_missing"] == 5 and all(set(r) == {"budget", "unit", "spec"} for r in partial["rows"])
    assert "**Partial**: 5 chunks" in (out / "report.md").read_text()
    (out / "chunks.jsonl").write_text("")
    assert run_cli(main, [*argv, "--lbr-hands", "20"]) == 0  # a shorter plan: its first chunk is the same
    assert run_cli(main, [*argv, "--report-only"]) == 0
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert [r["lbr"]["hands"] for r in rows] == [20, 20] and rows[0]["lbr"]["planned"] == 24
    assert "(20 of 24 hands)" in (out / "report.md").read_text()
    assert run_cli(main, argv) == 0
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert [r["lbr"]["hands"] for r in rows] == [24, 24] and rows[1]["vs_blueprint"]["complete"]
    assert len((out / "chunks.jsonl").read_text().splitlines()) == 5  # 2 x 2 LBR chunks + 1 head-to-head
    capsys.readouterr()


def test_headsup_with_aivat_and_decision_times() -> None:
    _, big = strength_blueprints()
    result = headsup_nolimit(STRENGTH_GAME, f"subgame:checkpoint={big},iters=10,seconds=0,threads=1",
                             f"cfr:checkpoint={big}", 3, seed=4, workers=1, value_checkpoint=str(big))
    assert result["hands"] == 6 and "aivat" in result and result["aivat"]["stderr_mbb_per_hand"] >= 0.0
    folds = headsup_nolimit(STRENGTH_GAME, "fold", "fold", 2, seed=0, workers=1, value_checkpoint=str(big))
    assert folds["mbb_per_hand"] == 0.0 and folds["aivat"]["mbb_per_hand"] == 0.0  # blinds swap, no correction
    assert "a_decision_seconds_mean" not in folds


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, big = strength_blueprints()
    assert run_cli(main, ["nolimit", "--checkpoint", str(tmp_path / "none.npz"), "--out", str(tmp_path)]) == 2
    assert run_cli(main, ["nolimit", "--checkpoint", str(big), "--seconds", "1", "--iters", "5"]) == 2
    assert run_cli(main, ["lbr", "holdem_nolimit(blinds=5)", "call", "--hands", "2"]) == 2
    assert run_cli(main, ["lbr", "holdem_nolimit", "call", "--actions", "fcx"]) == 2
    for flags in (["--lbr-hands", "1"], ["--pairs", "-3"], ["--max-minutes", "nan"], ["--estimate", "-1"]):
        assert run_cli(main, ["nolimit", "--checkpoint", str(big), "--out", str(tmp_path), *flags]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 8 and all(line.startswith("error:") for line in err)
