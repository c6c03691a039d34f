"""The human agent and move parsing: UCI/SAN, columns, poker words; retry after bad input; EOF."""
from __future__ import annotations

import io
import subprocess
import sys

import chess
import pytest

from agents.core import AgentError
from agents.human import HumanAgent, describe, parse_move
from agents.registry import make_agent
from games.core import IllegalActionError
from games.registry import make_game


def test_chess_uci_and_san_name_the_same_action() -> None:
    state = make_game("chess").new_state()
    assert parse_move(state, "e2e4") == parse_move(state, "e4") == parse_move(state, " e4 ")
    assert parse_move(state, "g1f3") == parse_move(state, "Nf3")
    action = parse_move(state, "Nf3")
    assert state.action_to_string(action) == "Nf3"
    for bad in ("e2e5", "Ke2", "zz", "e9", "0000"):
        with pytest.raises(IllegalActionError):
            parse_move(state, bad)


def test_chess_promotion_and_castling() -> None:
    game = make_game("chess")
    state = game.state_from_string("4k3/1P6/8/8/8/8/8/4K2R w K - 0 1")
    assert state.action_to_string(parse_move(state, "b7b8q")) == "b8=Q+"
    assert state.action_to_string(parse_move(state, "b7b8n")) == "b8=N"
    assert parse_move(state, "O-O") == parse_move(state, "e1g1")


def test_connect_four_columns() -> None:
    state = make_game("connect_four").state_from_string("000000")
    assert parse_move(state, "3") == 3
    for bad in ("0", "7", "x", "-1"):
        with pytest.raises(IllegalActionError):
            parse_move(state, bad)


@pytest.mark.parametrize("name", ["openspiel:kuhn_poker", "kuhn_poker"])
def test_kuhn_words(name: str) -> None:
    game = make_game(name)
    state = game.new_state()
    while state.is_chance_node():
        state.apply(int(state.legal_actions()[0]))
    texts = {state.action_to_string(a).lower(): int(a) for a in state.legal_actions()}
    passing, betting = texts.get("pass", 0), texts.get("bet", 1)
    assert parse_move(state, "check") == parse_move(state, "fold") == parse_move(state, "Pass") == passing
    assert parse_move(state, "bet") == parse_move(state, "raise") == betting
    with pytest.raises(IllegalActionError):
        parse_move(state, "allin")


@pytest.mark.parametrize("name", ["openspiel:leduc_poker", "leduc_poker"])
def test_leduc_words(name: str) -> None:
    game = make_game(name)
    state = game.new_state()
    while state.is_chance_node():
        state.apply(int(state.legal_actions()[0]))
    call, raise_ = parse_move(state, "call"), parse_move(state, "raise")
    assert call != raise_
    assert parse_move(state, "check") == call and parse_move(state, "bet") == raise_
    assert "call" in state.action_to_string(call).lower() or "check" in state.action_to_string(call).lower()
    state.apply(raise_)  # facing a raise, fold is legal
    fold = parse_move(state, "fold")
    assert fold not in (call, raise_) and "fold" in state.action_to_string(fold).lower()
    assert describe(state) == state.information_state_string(state.current_player)


def test_asks_again_after_bad_moves() -> None:
    state = make_game("chess").new_state()
    out = io.StringIO()
    agent = HumanAgent(stdin=io.StringIO("e2e5\nhello\n\ne4\n"), stdout=out)
    assert agent.act(state) == parse_move(state, "e4")
    text = out.getvalue()
    assert text.count("try again") == 3
    assert str(chess.Board().unicode(empty_square=".")) in text and "legal:" in text


def test_end_of_input_is_an_agent_error() -> None:
    state = make_game("connect_four").new_state()
    agent = HumanAgent(stdin=io.StringIO("9\n"), stdout=io.StringIO())
    with pytest.raises(AgentError, match="end of input"):
        agent.act(state)
    assert isinstance(make_agent("human:show=false", make_game("connect_four")), HumanAgent)


def test_play_cli_with_piped_stdin() -> None:
    moves = "9\n" + "\n".join(str(c) for c in list(range(7)) * 8) + "\n"  # an illegal column, then legal ones
    proc = subprocess.run([sys.executable, "-m", "agents.play", "connect_four", "human", "random", "--games", "1",
                           "--out", "-", "--json", "--openings", "0"], input=moves, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "try again" in proc.stderr and "Traceback" not in proc.stderr
    assert '"games": 1' in proc.stdout
