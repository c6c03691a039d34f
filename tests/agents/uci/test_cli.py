"""``python -m agents.uci``: flags generated from the option table, bad flags exit 2, a piped session."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from agents.uci.__main__ import build_parser, entry, flag_of, initial_values, main
from agents.uci.options import BY_NAME

ROOT = Path(__file__).resolve().parents[3]


def test_flags_follow_the_option_table() -> None:
    assert flag_of(BY_NAME["move overhead"]) == "--move-overhead"
    assert flag_of(BY_NAME["weightsfile"]) == "--weights-file"
    assert flag_of(BY_NAME["uci_showwdl"]) == "--uci-show-wdl"
    assert flag_of(BY_NAME["minibatchsize"]) == "--minibatch-size"
    args = build_parser().parse_args(["--move-overhead", "250", "--batch", "16", "--sims", "800", "--cpuct", "2"])
    assert initial_values(args) == {"Move Overhead": 250, "MinibatchSize": 16, "NodesPerMove": 800, "CPuct": 2.0}


@pytest.mark.parametrize("argv, message", [
    (["--hash", "0"], "error: --hash: Hash must lie in [1, 65536]; got 0\n"),
    (["--net", "/no/such.pt"], "error: --net: no network file '/no/such.pt'\n"),
    (["--spec", "mcts"], "error: unrecognized arguments: --spec mcts\n"),
    pytest.param(["--backend", "cuda"], "error: --backend: backend cuda needs a CUDA GPU; none is visible "
                                        "(torch.cuda.is_available() is False)\n",
                 marks=pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")),
])
def test_bad_flags_are_one_line_exit_2(argv: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "agents.uci", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, input="")
    assert proc.returncode == 2 and proc.stderr == message


def test_piped_session() -> None:
    script = "uci\nisready\nposition startpos moves e2e4\ngo nodes 64\n"
    proc = subprocess.run([sys.executable, "-m", "agents.uci", "--hash", "8", "--sims", "64"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, input=script)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and lines[0] == "id name gamesearch" and "uciok" in lines and "readyok" in lines
    assert "option name NodesPerMove type spin default 64 min 0 max 2147483647" in lines
    # end of input acts as quit: the search is stopped and answered
    assert lines[-1].startswith("bestmove ")


def test_main_in_process() -> None:
    out = io.StringIO()
    assert main(["--hash", "8"], stdin=io.StringIO("isready\nposition startpos\ngo nodes 32\n"), stdout=out) == 0
    assert out.getvalue().splitlines()[0] == "readyok" and "bestmove" in out.getvalue()


def test_console_script_entry(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["gamesearch-uci", "--threads", "0"])
    with pytest.raises(SystemExit) as exit_info:
        entry()
    assert exit_info.value.code == 2 and capsys.readouterr().err.startswith("error: --threads: Threads must lie in")
