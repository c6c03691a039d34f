"""Chess State/Game API: endings and returns, draw rules, text (FEN, SAN, UCI), copies, random play."""
from __future__ import annotations

import chess
import numpy as np
import pytest

from games.chess import ChessGame, ChessState
from games.core import TERMINAL, IllegalActionError, StateParseError, random_playout
from games.registry import make_game

KNIGHT_SHUFFLE = ["Nf3", "Nf6", "Ng1", "Ng8"]


@pytest.fixture(scope="module")
def game() -> ChessGame:
    return ChessGame()


def test_registry_and_spec() -> None:
    game = make_game("chess")
    assert isinstance(game, ChessGame)
    spec = game.spec
    assert (spec.num_players, spec.num_actions, spec.observation_shape) == (2, 4672, (119, 8, 8))
    assert spec.max_game_length == 512 and spec.zero_sum and spec.perfect_information and not spec.has_chance
    state = game.new_state()
    assert state.current_player == 0 and str(state) == chess.STARTING_FEN and state.termination() is None


@pytest.mark.parametrize(
    ("moves", "expected"),
    [
        (["f3", "e5", "g4", "Qh4#"], [-1.0, 1.0]),  # fool's mate: White is mated
        (["e4", "e5", "Qh5", "Nc6", "Bc4", "Nf6", "Qxf7#"], [1.0, -1.0]),  # scholar's mate
    ],
)
def test_checkmate_returns(game: ChessGame, moves: list[str], expected: list[float]) -> None:
    state = game.state_from_moves(moves[:-1])
    assert not state.is_terminal() and state.returns().tolist() == [0.0, 0.0]
    state.apply(state.string_to_action(moves[-1]))
    assert state.termination() == "checkmate" and state.is_terminal()
    assert state.current_player == TERMINAL
    assert state.returns().tolist() == expected
    assert len(state.legal_actions()) == 0 and not state.legal_action_mask().any()
    with pytest.raises(IllegalActionError):
        state.apply(0)


@pytest.mark.parametrize(
    ("fen", "termination"),
    [
        ("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1", "stalemate"),
        ("8/8/8/4k3/8/8/8/4K3 w - - 0 1", "insufficient_material"),
        ("8/8/8/4k3/8/8/8/4KN2 b - - 0 1", "insufficient_material"),
        ("8/8/8/4k3/8/8/8/R3K3 w - - 100 80", "fifty_moves"),
        ("k7/8/1K6/8/8/8/8/8 b - - 0 1", "insufficient_material"),
    ],
)
def test_draw_positions(game: ChessGame, fen: str, termination: str) -> None:
    state = game.state_from_string(fen)
    assert state.termination() == termination
    assert state.current_player == TERMINAL
    assert state.returns().tolist() == [0.0, 0.0]
    assert len(state.legal_actions()) == 0


def test_insufficient_material_reached_by_a_capture(game: ChessGame) -> None:
    state = game.state_from_moves(["Kxd2"], fen="8/8/8/4k3/8/8/3r4/4K3 w - - 0 1")
    assert state.termination() == "insufficient_material"


def test_fifty_move_rule_is_automatic_and_mate_takes_precedence(game: ChessGame) -> None:
    state = game.state_from_moves(["Ra2"], fen="8/8/8/4k3/8/8/8/R3K3 w - - 99 80")
    assert state.board.halfmove_clock == 100 and state.board.is_fifty_moves()
    assert state.termination() == "fifty_moves" and state.returns().tolist() == [0.0, 0.0]
    mate = game.state_from_moves(["Rh8#"], fen="k7/8/1K6/8/8/8/8/7R w - - 99 80")
    assert mate.board.halfmove_clock == 100
    assert mate.termination() == "checkmate" and mate.returns().tolist() == [1.0, -1.0]
    # A capture or pawn move on the 100th ply resets the clock: the game goes on.
    reset = game.state_from_moves(["Rxa7"], fen="8/p7/8/4k3/8/8/8/R3K3 w - - 99 80")
    assert reset.termination() is None


def test_threefold_repetition_is_automatic(game: ChessGame) -> None:
    state = game.state_from_moves(KNIGHT_SHUFFLE * 2)
    # The start position now stands for the third time.
    assert state.board.is_repetition(3)
    assert state.termination() == "threefold_repetition" and state.repetitions() == 2
    assert state.returns().tolist() == [0.0, 0.0]
    before = game.state_from_moves((KNIGHT_SHUFFLE * 2)[:-1])
    assert before.termination() is None
    # A position seen twice only goes on.
    twice = game.state_from_moves(KNIGHT_SHUFFLE)
    assert twice.repetitions() == 1 and twice.termination() is None


def test_repetition_counts_agree_with_python_chess_in_random_shuffles(game: ChessGame) -> None:
    """Our repetition counter (observation planes) and python-chess's rule agree, castling and en
    passant rights included, over random king/rook shuffles."""
    rng = np.random.default_rng(5)
    fens = ["r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2"]
    for _ in range(40):
        state = game.state_from_string(fens[rng.integers(len(fens))])
        while not state.is_terminal():
            legal = [a for a in state.legal_actions() if state.board.piece_type_at(
                state.action_to_move(int(a)).from_square) in (chess.KING, chess.ROOK)]
            if not legal:
                break
            state.apply(int(legal[rng.integers(len(legal))]))
            board = state.board
            assert (state.repetitions() >= 2) == board.is_repetition(3)
            assert (state.repetitions() >= 1) == board.is_repetition(2)
        assert state.termination() in (None, "threefold_repetition", "fifty_moves", "stalemate", "checkmate",
                                       "insufficient_material")


def test_max_game_length_is_a_draw() -> None:
    short = ChessGame(max_game_length=4)
    state = short.state_from_moves(["e4", "e5", "Nf3"])
    assert state.termination() is None
    state.apply(state.string_to_action("Nc6"))
    assert state.termination() == "max_length" and state.returns().tolist() == [0.0, 0.0]
    # Checkmate on the last ply is still a checkmate.
    mate = ChessGame(max_game_length=4).state_from_moves(["f3", "e5", "g4", "Qh4#"])
    assert mate.termination() == "checkmate"
    with pytest.raises(ValueError):
        ChessGame(max_game_length=0)


def test_fen_round_trip_on_random_positions(game: ChessGame) -> None:
    rng = np.random.default_rng(1)
    state = game.new_state()
    for _ in range(300):
        if state.is_terminal():
            state = game.new_state()
        text = str(state)
        parsed = game.state_from_string(text)
        assert str(parsed) == text and text == state.board.fen()
        if state.termination() != "threefold_repetition":  # the FEN carries no earlier positions
            assert parsed.termination() == state.termination()
            assert np.array_equal(parsed.legal_actions(), state.legal_actions())
            assert parsed.current_player == state.current_player
        legal = state.legal_actions()
        state.apply(int(legal[rng.integers(len(legal))]))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("not a fen", "malformed"),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1", "malformed"),
        ("rnbqkbnr/pppppppp/9/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", "malformed"),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 extra", "malformed"),
        ("8/8/8/8/8/8/8/8 w - - 0 1", "no white king"),
        ("4k3/8/8/8/8/8/8/8 w - - 0 1", "no white king"),
        ("P3k3/8/8/8/8/8/8/4K3 w - - 0 1", "pawns on backrank"),
        ("4k3/8/8/8/8/8/8/4K2R w Q - 0 1", "castling"),
        ("4k3/8/8/8/8/8/8/4K3 w - e3 0 1", "ep square"),
        ("4k2R/8/8/8/8/8/8/4K3 w - - 0 1", "opposite check"),
        ("kk6/8/8/8/8/8/8/4K3 w - - 0 1", "too many kings"),
    ],
)
def test_bad_fens_raise_state_parse_error(game: ChessGame, text: str, problem: str) -> None:
    with pytest.raises(StateParseError, match=problem):
        game.state_from_string(text)


def test_san_and_uci_text(game: ChessGame) -> None:
    state = game.new_state()
    e4 = state.string_to_action("e4")
    assert state.string_to_action("e2e4") == e4 and state.string_to_action(" e4 ") == e4
    assert state.action_to_string(e4) == "e4"
    assert state.action_to_string(state.string_to_action("g1f3")) == "Nf3"
    for bad in ["e5", "e2e5", "0000", "--", "Ke2", "hello", "", "e7e8q"]:
        with pytest.raises(IllegalActionError):
            state.string_to_action(bad)
    with pytest.raises(IllegalActionError):
        state.action_to_string(0)  # a1 pawn-push geometry: no piece moves like that here
    promo = game.state_from_string("1n5k/P7/8/8/8/8/8/K7 w - - 0 1")
    names = {promo.action_to_string(int(a)) for a in promo.legal_actions()}
    assert {"a8=Q", "a8=N", "axb8=Q+", "axb8=N", "axb8=R+", "a8=B"} <= names
    assert promo.action_to_string(promo.string_to_action("a7b8n")) == "axb8=N"
    castle = game.state_from_string("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")
    assert castle.string_to_action("O-O") == castle.string_to_action("e1g1")
    assert castle.action_to_string(castle.string_to_action("e1c1")) == "O-O-O"


def test_state_from_moves_errors_name_the_move(game: ChessGame) -> None:
    with pytest.raises(IllegalActionError, match="move 3 'Ke3'"):
        game.state_from_moves(["e4", "e5", "Ke3"])
    with pytest.raises(IllegalActionError, match="move 5 'e4'.*checkmate"):
        game.state_from_moves(["f3", "e5", "g4", "Qh4#", "e4"])
    with pytest.raises(StateParseError):
        game.state_from_moves(["e4"], fen="garbage")
    state = game.state_from_moves(["d4", "d5"], fen=chess.STARTING_FEN)
    d4 = game.new_state().string_to_action("d4")
    assert state.history == [d4, d4]  # d7d5 is d2d4 seen from Black's side
    assert [m.uci() for m in state.board.move_stack] == ["d2d4", "d7d5"]


def test_copy_is_independent_and_keeps_the_move_stack(game: ChessGame) -> None:
    state = game.state_from_moves((KNIGHT_SHUFFLE * 2)[:-1])
    fen, history, legal = str(state), list(state.history), state.legal_actions()
    clone = state.copy()
    assert isinstance(clone, ChessState) and str(clone) == fen and clone.history == history
    clone.apply(clone.string_to_action("Ng8"))
    assert clone.termination() == "threefold_repetition"  # the copy saw the earlier repetitions
    assert str(state) == fen and state.history == history and np.array_equal(state.legal_actions(), legal)
    assert len(state.board.move_stack) == 7 and len(clone.board.move_stack) == 8
    state.apply(state.string_to_action("Nh5"))
    assert clone.termination() == "threefold_repetition" and str(clone) != str(state)
    legal_copy = state.legal_actions()
    legal_copy[:] = -1  # callers get their own array
    assert state.legal_actions().min() >= 0


def test_random_playouts_through_the_state_api(game: ChessGame) -> None:
    rng = np.random.default_rng(0)
    terminations = set()
    for _ in range(6):
        state = random_playout(game.new_state(), rng)
        terminations.add(state.termination())
        returns = state.returns()
        assert returns.sum() == 0.0 and set(returns.tolist()) <= {-1.0, 0.0, 1.0}
        assert 0 < len(state.history) <= game.spec.max_game_length
        replayed = game.new_state()
        for action in state.history:
            assert replayed.current_player in (0, 1)
            replayed.apply(action)
        assert str(replayed) == str(state) and replayed.termination() == state.termination()
    assert None not in terminations
