"""``python -m agents.uci`` driven through python-chess's UCI client, as GUIs and lichess-bot drive it."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Iterator

import chess
import chess.engine
import pytest

from agents.uci.options import OPTIONS

ROOT = Path(__file__).resolve().parents[3]
NETWORK = ROOT / "models" / "chess" / "checkpoints" / "011485.pt"
MANAGED = {"MultiPV", "Ponder", "UCI_Chess960"}
"""Options python-chess sets itself (analyse multipv=, play ponder=, the board's chess960 flag)."""


def _engine(*flags: str) -> chess.engine.SimpleEngine:
    return chess.engine.SimpleEngine.popen_uci([sys.executable, "-m", "agents.uci", *flags], cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def engine() -> Iterator[chess.engine.SimpleEngine]:
    e = _engine("--move-overhead", "80")
    e.ping()  # warm-up
    yield e
    e.quit()


def test_handshake_and_options(engine: chess.engine.SimpleEngine) -> None:
    assert engine.id["name"] == "gamesearch" and "author" in engine.id
    assert list(engine.options) == [option.name for option in OPTIONS]
    for option in OPTIONS:
        seen = engine.options[option.name]
        assert seen.type == option.type
        if option.type != "button":
            shown = 80 if option.name == "Move Overhead" else option.default
            assert seen.default == (f"{shown:g}" if option.number else shown)


def _other_value(name: str) -> object:
    values: dict[str, object] = {
        "WeightsFile": str(NETWORK) if NETWORK.is_file() else "<material>", "Backend": "torch", "Threads": 2, "MinibatchSize": 4, "Hash": 16,
        "Clear Hash": None, "Move Overhead": 150, "Slowmover": "1.5", "NodesPerMove": 5000, "CPuct": "2.0",
        "CPuctBase": "30000", "FpuValue": "0.3", "Temperature": "0.0", "UCI_ShowWDL": True,
        "VerboseMoveStats": True}
    return values[name]


def test_configure_every_option(engine: chess.engine.SimpleEngine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="chess.engine")
    for option in OPTIONS:
        if option.name not in MANAGED:
            engine.configure({option.name: _other_value(option.name)})
            engine.ping()
    board = chess.Board()
    info = engine.analyse(board, chess.engine.Limit(nodes=100), multipv=2)  # MultiPV; the network on torch
    assert len(info) == 2 and all(line["nodes"] == 100 and "wdl" in line for line in info)  # UCI_ShowWDL
    result = engine.play(board, chess.engine.Limit(nodes=100), ponder=True)  # Ponder: go ponder after bestmove
    assert result.move in board.legal_moves and result.ponder is not None
    assert not [r.message for r in caplog.records if "error" in r.getMessage()]
    defaults = {o.name: o.default for o in OPTIONS if o.name not in MANAGED and o.type != "button"}
    engine.configure({**defaults, "Move Overhead": 80})
    engine.ping()  # as GUIs do after setoption: the engine rebuilds and warms up now, not in the next move


def test_play_with_clock_limits(engine: chess.engine.SimpleEngine) -> None:
    board = chess.Board()
    clocks, inc = [1.5, 1.5], 0.05
    for _ in range(12):
        limit = chess.engine.Limit(white_clock=clocks[0], black_clock=clocks[1], white_inc=inc, black_inc=inc)
        began = time.perf_counter()
        result = engine.play(board, limit, info=chess.engine.INFO_ALL)
        used = time.perf_counter() - began
        side = 0 if board.turn else 1
        assert used < clocks[side] and result.move in board.legal_moves
        assert result.info["nodes"] > 0
        clocks[side] += inc - used
        board.push(result.move)


def test_movetime_is_respected(engine: chess.engine.SimpleEngine) -> None:
    board = chess.Board()
    board.push_uci("e2e4")
    began = time.perf_counter()
    result = engine.play(board, chess.engine.Limit(time=0.5), info=chess.engine.INFO_ALL, game="movetime")
    assert time.perf_counter() - began < 0.5 and result.info["nodes"] > 100


def test_analyse_multipv_streams_info(engine: chess.engine.SimpleEngine) -> None:
    arrivals: list[float] = []
    began = time.perf_counter()
    with engine.analysis(chess.Board(), chess.engine.Limit(time=2.0), multipv=3) as analysis:
        for info in analysis:
            if "pv" in info and info.get("multipv") == 1:
                arrivals.append(time.perf_counter())
        lines = analysis.multipv
    ended = time.perf_counter()
    gaps = [b - a for a, b in zip([began, *arrivals], [*arrivals, ended])]
    assert len(arrivals) >= 4 and max(gaps) < 0.5, gaps
    assert len(lines) == 3 and len({line["pv"][0] for line in lines}) == 3
    for k, line in enumerate(lines, 1):
        assert line["multipv"] == k and len(line["pv"]) >= 2
        assert line["seldepth"] >= line["depth"] >= 1 and line["nodes"] > 1000
        assert line["nps"] > 0 and line["time"] < 2.2 and 0 <= line["hashfull"] <= 1000
        # the search runs to the deadline (movetime less Move Overhead) unless the tree fills first
        assert line["time"] > 1.5 or line["hashfull"] >= 990, (line["time"], line["hashfull"])
        assert line["score"].relative.score() is not None


def test_depth_is_a_node_budget(engine: chess.engine.SimpleEngine) -> None:
    info = engine.analyse(chess.Board(), chess.engine.Limit(depth=4), game="depth")
    assert info["nodes"] == 4**4


def test_mate_in_two_is_reported_once_proven(engine: chess.engine.SimpleEngine) -> None:
    board = chess.Board("kbK5/pp6/1P6/8/8/8/8/R7 w - - 0 1")  # Ra6! bxa6 b7# (Stockfish 15.1 misses it)
    info = engine.analyse(board, chess.engine.Limit(mate=2, time=10), game="mate")
    assert info["score"].relative == chess.engine.Mate(2) and info["pv"][0] == chess.Move.from_uci("a1a6")
    board.push_uci("a1a6")
    info = engine.analyse(board, chess.engine.Limit(nodes=2000), game="mate")
    assert info["score"].relative == chess.engine.Mate(-1)


def test_ponderhit_through_python_chess(engine: chess.engine.SimpleEngine) -> None:
    board = chess.Board()
    limit = chess.engine.Limit(white_clock=3.0, black_clock=3.0)
    first = engine.play(board, limit, ponder=True, game="ponder")
    assert first.ponder is not None
    board.push(first.move)
    board.push(first.ponder)  # the expected reply: python-chess answers the next play with ponderhit
    began = time.perf_counter()
    second = engine.play(board, limit, ponder=True, game="ponder")
    assert second.move in board.legal_moves and time.perf_counter() - began < 0.5


def test_stop_latency_during_a_million_node_search() -> None:
    engine = _engine()  # default Hash: room for about 435,000 nodes, more than the search reaches
    try:
        engine.ping()
        with engine.analysis(chess.Board(), chess.engine.Limit(nodes=10**6)) as analysis:
            time.sleep(0.5)
            began = time.perf_counter()
            analysis.stop()
            best = analysis.wait()
            latency = time.perf_counter() - began
            nodes = analysis.info["nodes"]
        assert latency < 0.1 and best.move in chess.Board().legal_moves and 0 < nodes < 10**6
    finally:
        engine.quit()


def test_quit_during_a_search() -> None:
    engine = _engine()
    engine.ping()
    pid = engine.transport.get_pid()
    engine.analysis(chess.Board(), chess.engine.Limit(nodes=10**6))
    time.sleep(0.3)
    began = time.perf_counter()
    engine.quit()  # returns once the process has exited
    assert time.perf_counter() - began < 1.0
    assert engine.transport.get_returncode() == 0 and not Path(f"/proc/{pid}/cmdline").exists()


@pytest.mark.skipif(not NETWORK.is_file(), reason="the shipped chess network is not there")
def test_network_first_move_is_searched_and_on_time() -> None:
    engine = _engine("--net", str(NETWORK), "--hash", "16")
    try:
        engine.ping()  # warm-up: numba, ONNX export, the first network call
        began = time.perf_counter()
        result = engine.play(chess.Board(), chess.engine.Limit(time=0.5), info=chess.engine.INFO_ALL)
        assert time.perf_counter() - began < 0.5
        assert result.info["nodes"] > 10 and abs(result.info["score"].relative.score()) < 300
    finally:
        engine.quit()
