"""Reports say how to make them again (provenance in results.json and report.md) and are readable by others."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt

from agents.provenance import RunInfo
from benchmarks.report import Report
from tests.agents.test_provenance import check_record

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_regenerated_report_records_how_to_make_it_again(tmp_path: Path) -> None:
    out = tmp_path / "t"
    args = ["connect_four", "random", "mcts:sims=2", "--games-per-pair", "2", "--workers", "1", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # umask 077 would give mkstemp's and open()'s files 0600: reports must still come out 0644
    done = subprocess.run([sys.executable, "-m", "benchmarks.tournament", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o077))
    assert done.returncode == 0, done.stderr[-2000:]
    command = "python -m benchmarks.tournament " + " ".join(args)
    results = json.loads((out / "results.json").read_text())
    check_record(results["provenance"], command)
    assert results["provenance"]["cwd"] == str(ROOT)
    assert json.loads((out / "ratings.json").read_text())["provenance"]["command"] == command
    report = (out / "report.md").read_text()
    assert "## How to make this again" in report and f"{command}\n```" in report
    assert results["provenance"]["versions"]["numpy"] in report
    html = (out / "report.html").read_text()
    assert "<h2>How to make this again</h2>" in html and f"{command}</pre>" in html
    for name in ("report.md", "report.html", "results.json", "ratings.json", "ratings.png"):
        assert _mode(out / name) == 0o644, name


def test_report_files_are_0644_and_end_with_the_section(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        report = Report("tiny")
        report.text("## a section\n\nsome words")
        report.table(["a", "b"], [[1, 2.5]])
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        report.figure("line.png", fig)
        written = report.write(tmp_path, {"x": 1}, RunInfo.begin("python -m benchmarks.tiny", ["--flag"]))
    finally:
        os.umask(old)
    assert written["x"] == 1 and written["provenance"]["command"] == "python -m benchmarks.tiny --flag"
    assert json.loads((tmp_path / "results.json").read_text()) == written
    for name in ("report.md", "report.html", "results.json", "line.png"):
        assert _mode(tmp_path / name) == 0o644, name
    text = (tmp_path / "report.md").read_text()
    assert text.index("## a section") < text.index("## How to make this again")
    assert not list(tmp_path.glob(".*")), "no temporary file left behind"
