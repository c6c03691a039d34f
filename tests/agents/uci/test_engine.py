"""The protocol state machine in process: positions, go limits, stop/ponder/infinite, info contents, tree reuse."""
from __future__ import annotations

import time
from typing import Iterator

import chess
import pytest

from agents.uci.timeman import GoLimits, move_seconds
from tests.agents.uci.session import Session


@pytest.fixture()
def session() -> Iterator[Session]:
    s = Session()
    s.send("isready")
    yield s
    s.close()


def _info(text: str) -> dict[str, str]:
    words = text.split()
    return {words[i]: words[i + 1] for i in range(1, len(words) - 1) if words[i] in
            ("depth", "seldepth", "multipv", "nodes", "nps", "hashfull", "time", "cp", "mate")}


def test_illegal_position_move_leaves_no_position(session: Session) -> None:
    assert session.search("position startpos moves e2e4", "go nodes 50").split()[1] in {
        m.uci() for m in chess.Board("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1").legal_moves}
    start = len(session.lines)
    assert session.search("position startpos moves e2e4 e7e4", "go nodes 50") == "bestmove 0000"
    errors = [t for t in session.texts(start) if t.startswith("info string error")]
    assert "illegal move 'e7e4' (move 2)" in errors[0] and "no position to search" in errors[1]
    assert session.engine.state is None
    for bad in ("position startpos moves e2e4 zz9", "position fen 8/8/8 w - - 0 1", "position sideways",
                "position startpos e2e4"):
        start = len(session.lines)
        assert session.search(bad, "go nodes 10") == "bestmove 0000"
        assert session.texts(start)[0].startswith("info string error: ")
    assert session.search("position startpos moves e2e4 e7e5", "go nodes 10") != "bestmove 0000"


def test_game_over_positions(session: Session) -> None:
    start = len(session.lines)
    assert session.search("position fen 7k/6Q1/6K1/8/8/8/8/8 b - - 0 1", "go nodes 10") == "bestmove 0000"
    assert "info depth 0 score mate 0" in session.texts(start)
    start = len(session.lines)
    assert session.search("position fen 7k/5Q2/6K1/8/8/8/8/8 b - - 0 1", "go nodes 10") == "bestmove 0000"
    assert "info depth 0 score cp 0" in session.texts(start)


def test_node_and_depth_budgets(session: Session) -> None:
    start = len(session.lines)
    session.search("position startpos", "go nodes 300")
    last = [t for t in session.texts(start) if t.startswith("info depth")][-1]
    info = _info(last)
    assert info["nodes"] == "300" and int(info["seldepth"]) >= int(info["depth"]) >= 1
    assert " pv " in last and len(last.split(" pv ")[1].split()) >= 2
    start = len(session.lines)
    session.search("ucinewgame", "position startpos", "go depth 3")
    assert _info([t for t in session.texts(start) if t.startswith("info depth")][-1])["nodes"] == "64"


def test_searchmoves(session: Session) -> None:
    best = session.search("setoption name MultiPV value 5", "position startpos", "go nodes 400 searchmoves a2a3 h2h3")
    assert best.split()[1] in ("a2a3", "h2h3")
    lines = [t for t in session.texts() if t.startswith("info depth")]
    final = [t for t in lines if "nodes 400 " in t][-2:]
    assert {t.split(" pv ")[1].split()[0] for t in final} == {"a2a3", "h2h3"}
    start = len(session.lines)
    session.search("go nodes 400")  # the restriction is gone: a fresh tree over every move
    firsts = {t.split(" pv ")[1].split()[0] for t in session.texts(start) if t.startswith("info depth")}
    assert len(firsts - {"a2a3", "h2h3"}) >= 3


def test_infinite_waits_for_stop_and_commands_answer_at_once(session: Session) -> None:
    start = len(session.lines)
    session.send("position fen 7k/R7/6K1/8/8/8/8/8 w - - 0 1", "go infinite")  # mate in one: proven at once
    time.sleep(0.6)
    assert not any(t.startswith("bestmove") for t in session.texts(start))
    began = time.perf_counter()
    session.send("isready")
    assert session.wait_for("readyok", after=start)[0] - began < 0.1
    began = time.perf_counter()
    session.send("stop")
    stamp, best = session.wait_for("bestmove", after=start)
    assert best == "bestmove a7a8" and stamp - began < 0.1
    assert "score mate 1" in [t for t in session.texts(start) if t.startswith("info depth")][-1]
    start = len(session.lines)
    session.send("position startpos", "go infinite")
    time.sleep(0.3)
    began = time.perf_counter()
    session.send("ucinewgame")
    assert session.wait_for("bestmove", after=start)[0] - began < 0.1


def test_ponder_until_ponderhit(session: Session) -> None:
    start = len(session.lines)
    session.send("position startpos moves e2e4 e7e5", "go ponder wtime 2000 btime 2000 winc 0 binc 0")
    time.sleep(0.5)
    assert not any(t.startswith("bestmove") for t in session.texts(start))
    hit = time.perf_counter()
    session.send("ponderhit")
    stamp, best = session.wait_for("bestmove", after=start)
    planned = move_seconds(GoLimits(wtime=2.0, btime=2.0), True, overhead=0.05)
    assert planned is not None and stamp - hit < planned + 0.1
    assert best.split()[1] in {m.uci() for m in chess.Board(
        "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2").legal_moves}
    start = len(session.lines)
    session.send("go ponder movetime 300")
    time.sleep(0.5)
    began = time.perf_counter()
    session.send("stop")
    assert session.wait_for("bestmove", after=start)[0] - began < 0.1


def test_forced_move_on_the_clock_is_instant(session: Session) -> None:
    started = time.perf_counter()
    best = session.search("position fen 7k/8/6KQ/8/8/8/8/8 b - - 0 1", "go wtime 60000 btime 60000")
    assert best.startswith("bestmove h8g8") and time.perf_counter() - started < 0.1


def test_wdl_and_verbose_move_stats(session: Session) -> None:
    start = len(session.lines)
    session.search("setoption name UCI_ShowWDL value true", "setoption name VerboseMoveStats value true",
                   "position startpos", "go nodes 200")
    texts = session.texts(start)
    info = [t for t in texts if t.startswith("info depth")][-1]
    w, d, l = (int(x) for x in info.split(" wdl ")[1].split()[:3])
    assert w + d + l == 1000
    stats = [t for t in texts if t.startswith("info string ") and " N: " in t]
    assert len(stats) == 20 and all(" P: " in t and " Q: " in t for t in stats)


def test_tree_follows_the_game(session: Session) -> None:
    words = session.search("position startpos moves e2e4", "go nodes 2000").split()
    best, reply = words[1], words[3]  # bestmove X ponder Y: Y is on the principal variation
    mcts = session.engine.mcts
    assert mcts is not None
    session.send(f"position startpos moves e2e4 {best} {reply}")
    kept = mcts.root_visits(0)
    start = len(session.lines)
    session.search("go nodes 100")
    assert _info([t for t in session.texts(start) if t.startswith("info depth")][-1])["nodes"] == "100"
    assert kept > 0 and mcts.root_visits(0) == kept + 100
    session.send("position startpos moves d2d4")  # not a continuation: searched afresh
    session.search("go nodes 100")
    assert mcts.root_visits(0) <= 101


def test_other_commands(session: Session) -> None:
    start = len(session.lines)
    session.send("frobnicate", "debug on", "position startpos", "go infinite",
                 "setoption name Hash value 32", "stop")
    texts = session.texts(start)
    assert texts[0] == "info string error: unknown command 'frobnicate'"
    assert any("setoption during a search is ignored" in t for t in texts)
    assert session.engine.values["Hash"] == 16
    assert session.engine.handle("quit") is False


def test_play_goes_on_past_unclaimed_draws(session: Session) -> None:
    shuffle = "g1f3 g8f6 f3g1 f6g8 " * 2  # the start position for the third time: a draw by repetition here
    start = len(session.lines)
    best = session.search(f"position startpos moves {shuffle}e2e4", "go nodes 50")
    assert best != "bestmove 0000" and not any("error" in t for t in session.texts(start))
    start = len(session.lines)
    best = session.search(f"position startpos moves {shuffle.strip()}", "go nodes 50")
    assert best != "bestmove 0000"
    assert "the game is over by rule (threefold_repetition)" in " ".join(session.texts(start))
    start = len(session.lines)
    assert session.search("position fen 8/8/4k3/8/8/3K4/8/8 w - - 0 1", "go nodes 50").split()[1] in {
        m.uci() for m in chess.Board("8/8/4k3/8/8/3K4/8/8 w - - 0 1").legal_moves}  # insufficient material
