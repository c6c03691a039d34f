"""GameRecord JSON, the JSONL writer/reader, PGN for chess and poker hand histories."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import chess
import chess.pgn
import pytest

from agents.arena.match import play_game
from agents.random import RandomAgent
from agents.arena.records import (GameRecord, RecordError, RecordWriter, chess_result, hand_history, pgn_from_record,
                            read_records)
from games.registry import make_game


def _chess_record(seed: int, fen: str | None = None, max_plies: int | None = None) -> GameRecord:
    game = make_game("chess")
    start = game.state_from_string(fen) if fen else None
    return play_game(game, [RandomAgent(seed), RandomAgent(seed + 1)], seed=seed, start_state=start,
                     max_plies=max_plies, specs=["white-agent", "black-agent"])


def test_json_round_trip_and_errors() -> None:
    record = play_game(make_game("kuhn_poker"), [RandomAgent(0), RandomAgent(1)], seed=4, specs=["x", "y"])
    line = record.to_json()
    assert "\n" not in line and GameRecord.from_json(line) == record
    data = json.loads(line)
    assert {"game", "specs", "seed", "moves", "returns", "plies", "seconds", "termination"} <= set(data)
    with pytest.raises(RecordError, match="not JSON"):
        GameRecord.from_json("{oops")
    with pytest.raises(RecordError, match="lacks"):
        GameRecord.from_json('{"game": "chess"}')


def test_writer_flushes_each_line_and_reader_names_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "games.jsonl"
    records = [play_game(make_game("connect_four"), [RandomAgent(s), RandomAgent(s + 1)], seed=s) for s in range(3)]
    writer = RecordWriter(path)
    writer.write(records[0])
    assert list(read_records(path)) == records[:1]  # readable before close: flushed
    writer.write(records[1])
    writer.close()
    with RecordWriter(path) as again:  # appends
        again.write(records[2])
    assert list(read_records(path)) == records
    with path.open("a") as handle:
        handle.write("not json\n")
    with pytest.raises(RecordError, match="games.jsonl:4"):
        list(read_records(path))


@pytest.mark.parametrize("fen", [None, "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"])
def test_pgn_replays_with_python_chess(fen: str | None) -> None:
    for seed in range(3):
        record = _chess_record(seed, fen)
        game = chess.pgn.read_game(io.StringIO(pgn_from_record(record, event="test", round_=seed + 1)))
        assert game is not None and not game.errors
        headers = game.headers
        assert headers["White"] == "white-agent" and headers["Black"] == "black-agent"
        assert headers["Result"] == chess_result(record) and headers["Termination"] == record.termination
        assert ("FEN" in headers) == (fen is not None) and (headers.get("SetUp") == "1") == (fen is not None)
        board = game.board()
        assert board.fen() == (fen or chess.STARTING_FEN)
        sans = []
        for move in game.mainline_moves():
            sans.append(board.san(move))
            board.push(move)
        assert tuple(sans) == record.moves
        if record.termination == "checkmate":
            assert board.is_checkmate() and headers["Result"] in ("1-0", "0-1")
        elif record.finished:
            assert headers["Result"] == "1/2-1/2"


def test_pgn_result_strings() -> None:
    record = _chess_record(0, max_plies=4)
    assert chess_result(record) == "*"
    finished = replace(record, termination="checkmate")
    assert chess_result(replace(finished, returns=(1.0, -1.0))) == "1-0"
    assert chess_result(replace(finished, returns=(-1.0, 1.0))) == "0-1"
    assert chess_result(replace(finished, returns=(0.0, 0.0), termination="stalemate")) == "1/2-1/2"


def test_hand_history_lists_every_action() -> None:
    record = play_game(make_game("leduc_poker"), [RandomAgent(0), RandomAgent(1)], seed=1, specs=["alice", "bob"])
    text = hand_history(record, 7)
    assert text.startswith("Hand #7  leduc_poker")
    assert "Seat 0: alice" in text and "Seat 1: bob" in text
    assert text.count("chance: ") == record.players.count(-1)
    assert text.count("P0 (alice): ") + text.count("P1 (bob): ") == record.plies
    assert len(record.info_states) == 2 and "P1 sees: " in text
    assert f"P0 {record.returns[0]:+g}" in text
