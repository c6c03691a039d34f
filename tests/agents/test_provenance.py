"""What a run records about itself (agents/provenance.py): command, code, versions, machine, times."""
from __future__ import annotations

import datetime
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents import provenance
from agents.provenance import RunInfo, markdown

ROOT = Path(__file__).resolve().parents[2]
VERSION_KEYS = {"python", "numpy", "numba", "torch", "open_spiel", "ray", "onnxruntime", "python-chess", "stockfish"}


def check_record(record: dict, command: str) -> None:
    """The fields every report's ``provenance`` must hold (shared with the report tests)."""
    assert record["command"] == command
    assert record["argv"][:2] == ["python", "-m"]
    assert Path(record["cwd"]).is_dir()
    git = record["git"]
    if (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", git["commit"]) and isinstance(git["dirty"], bool)
    assert set(record["versions"]) == VERSION_KEYS
    for name in ("python", "numpy", "numba", "torch", "open_spiel", "ray", "python-chess"):
        assert record["versions"][name], name  # installed in every environment that runs the tests
    machine = record["machine"]
    assert machine["cores"] >= 1 and 1 <= machine["usable_cores"] <= machine["cores"]
    assert machine["cpu"] and machine["os"] and isinstance(machine["gpus"], list)
    assert machine["load_average"] is None or len(machine["load_average"]) == 3
    started = datetime.datetime.fromisoformat(record["started"])
    finished = datetime.datetime.fromisoformat(record["finished"])
    assert started.tzinfo is not None and started <= finished
    assert record["wall_seconds"] > 0


def test_run_info_records_command_code_versions_machine_and_times() -> None:
    info = RunInfo.begin("python -m benchmarks.elo", ["runs/my tournament", "--json"])
    time.sleep(0.01)
    record = info.to_json()
    check_record(record, "python -m benchmarks.elo 'runs/my tournament' --json")
    assert record["wall_seconds"] >= 0.01
    assert record["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))


def test_without_a_prog_the_process_command_line_is_recorded() -> None:
    assert RunInfo.begin().command == list(sys.orig_argv)


def test_git_state_sees_uncommitted_changes(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    assert provenance.git_state(tmp_path) == {"commit": None, "dirty": None}
    git("init", "-q")
    (tmp_path / "a.txt").write_text("one\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    clean = provenance.git_state(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}", clean["commit"]) and clean["dirty"] is False
    (tmp_path / "a.txt").write_text("two\n")
    assert provenance.git_state(tmp_path) == {"commit": clean["commit"], "dirty": True}


def test_stockfish_version_is_asked_from_the_binary(tmp_path: Path) -> None:
    fake = tmp_path / "stockfish"
    fake.write_text("#!/bin/sh\nread line\necho 'id name Stockfish 99.1'\necho 'uciok'\n")
    fake.chmod(0o755)
    assert provenance.stockfish_version(str(fake)) == "Stockfish 99.1"
    assert provenance.stockfish_version(str(tmp_path / "missing")) is None


def test_markdown_section_names_the_command_commit_and_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in provenance.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    record = RunInfo.begin("python -m benchmarks.adaptive", ["connect_four", "--sims", "4,8"]).to_json()
    assert record["environment"] == {"OMP_NUM_THREADS": "1"}
    text = markdown(record)
    assert text.startswith("## How to make this again")
    assert "```\nOMP_NUM_THREADS=1 python -m benchmarks.adaptive connect_four --sims 4,8\n```" in text
    for words in ("wall time", "load average at start", "numpy", "GPU", f"{record['machine']['cores']} cores"):
        assert words in text
    if record["git"]["commit"]:
        assert record["git"]["commit"] in text


@pytest.mark.parametrize("dirty, words", [(True, "with uncommitted changes"), (False, "(clean)")])
def test_markdown_says_whether_the_tree_was_dirty(dirty: bool, words: str) -> None:
    record = RunInfo.begin("python -m x", []).to_json()
    record["git"] = {"commit": "0" * 40, "dirty": dirty}
    assert words in markdown(record)
