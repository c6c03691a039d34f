"""``python -m agents.uci``: plays legal moves through python-chess's UCI client; protocol details."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import chess
import chess.engine
import pytest

from agents.uci import GoLimits, main, move_seconds, parse_go, value_to_centipawns

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", ["random", "mcts:sims=16"])
def test_plays_legal_moves_through_python_chess(spec: str) -> None:
    engine = chess.engine.SimpleEngine.popen_uci([sys.executable, "-m", "agents.uci", "--spec", spec], cwd=ROOT)
    try:
        assert spec in engine.id["name"]
        board = chess.Board()
        for _ in range(12):  # the engine plays both sides: a growing "position startpos moves ..." each time
            result = engine.play(board, chess.engine.Limit(nodes=16))
            assert result.move in board.legal_moves
            board.push(result.move)
        tactic = chess.Board("6k1/5ppp/8/8/8/8/5PPP/R5K1 w - - 0 1")  # Ra8# is mate in one
        result = engine.play(tactic, chess.engine.Limit(time=0.3))
        assert result.move in tactic.legal_moves
        if spec.startswith("mcts"):
            assert result.move == chess.Move.from_uci("a1a8")
    finally:
        engine.quit()


def test_protocol_in_process() -> None:
    script = "\n".join([
        "uci", "isready", "position startpos moves e2e4 e7e5", "go nodes 8",
        "position startpos moves e2e4 e7e5 zz9", "position fen 7k/8/8/8/8/8/8/KR6 w - - 0 1", "go nodes 4",
        "position fen 7k/6Q1/6K1/8/8/8/8/8 b - - 0 1", "go nodes 4", "frobnicate", "quit", "go nodes 4",
    ]) + "\n"
    out = io.StringIO()
    assert main(["--spec", "mcts:sims=8"], stdin=io.StringIO(script), stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[:4] == ["id name gamesearch (mcts:sims=8)", "id author gamesearch developers", "uciok", "readyok"]
    best = [line.split()[1] for line in lines if line.startswith("bestmove")]
    assert len(best) == 3  # nothing after quit
    board = chess.Board()
    board.push_uci("e2e4")
    board.push_uci("e7e5")
    assert chess.Move.from_uci(best[0]) in board.legal_moves
    assert chess.Move.from_uci(best[1]) in chess.Board("7k/8/8/8/8/8/8/KR6 w - - 0 1").legal_moves
    assert best[2] == "0000"  # checkmated: no move
    assert any(line.startswith("info string error:") and "zz9" in line for line in lines)


def test_go_parsing_and_clock() -> None:
    limits = parse_go("wtime 60000 btime 30000 winc 1000 movestogo 20 foo".split())
    assert limits == GoLimits(wtime=60.0, btime=30.0, winc=1.0, movestogo=20)
    assert move_seconds(limits, True) == pytest.approx(60 / 20 + 0.8)
    assert move_seconds(limits, False) == pytest.approx(30 / 20)
    assert move_seconds(parse_go(["movetime", "500"]), True) == pytest.approx(0.475)
    assert move_seconds(GoLimits(), True) is None
    assert value_to_centipawns(0.0) == 0 and value_to_centipawns(0.5) > 100 > 0 > value_to_centipawns(-0.5)


def test_bad_spec_is_one_line_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "agents.uci", "--spec", "nosuchagent"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, input="")
    assert proc.returncode == 2 and proc.stderr.startswith("error: unknown agent")
