"""Termination rules of the compiled chess core against ChessState: 1,000 random games played by the
compiled core and replayed through ChessState (every move legal there, no draw rule missed on the way,
legal sets and terminations compared in full every 16 plies, the same result and reason at the end),
games that shuffle pieces back and forth compared at every ply, and targeted cases for each rule: mate
and stalemate, python-chess's insufficient material, the fifty-move rule, threefold repetition (also
through the root's history rows) and the length limit."""
from __future__ import annotations

from collections import Counter

import chess
import numpy as np
import pytest

from games.chess import ChessGame, ChessState, action_to_move
from games.chess.convert import fen_rows
from games.chess.kernels import (
    INSUFFICIENT_MATERIAL,
    ONGOING,
    TERMINATION_NAMES,
    chess_outcome,
    chess_player,
    chess_termination,
)
from games.chess.position import W_HALFMOVE, W_PLY, W_REPS, insufficient_material
from games.chess.rules import ChessRules
from tests.games.chess_core_support import GAME, RULES, Follower, compiled_random_game, random_action

PLAYTHROUGHS = 1_000
"""Random games played by the compiled core and replayed through ChessState."""
FULL_CHECK_EVERY = 16
"""Plies of a replay where ChessState's legal actions and termination are compared (and every last ply)."""
SHUFFLING_GAMES = 30
"""Playthroughs with moves back (each ends within a few dozen plies)."""


def play_through(follower: Follower, state: ChessState, rng: np.random.Generator, shuffle: float) -> str:
    """Play random moves in both cores, comparing legal sets and terminations at every ply; the ending."""
    while True:
        compiled, ending = follower.legal_and_termination()
        assert ending == state.termination(), str(state)
        legal = state.legal_actions()
        assert np.array_equal(compiled, legal), str(state)
        if ending is not None:
            check_returns(follower, state, ending)
            return ending
        action = random_action(state, legal, rng, shuffle)
        state.apply_unchecked(action)
        follower.apply(action)


def check_returns(follower: Follower, state: ChessState, ending: str) -> None:
    """The compiled outcome (for the player who moved last) matches the state's returns."""
    expected = 1.0 if ending == "checkmate" else 0.0
    assert chess_outcome(follower.rules, follower.stack, follower.d) == expected
    mover = chess_player(follower.rules, follower.stack, follower.d)
    assert state.returns()[1 - mover] == expected


def replay(follower: Follower, played: np.ndarray) -> str | None:
    """Replay a compiled game through a ChessState: every move is legal there, no draw rule ends it
    early, the full legal set and termination agree every FULL_CHECK_EVERY plies; the state's ending."""
    state = GAME.new_state()
    board = state.board
    limit = GAME.spec.max_game_length
    for ply, action in enumerate(played):
        if ply % FULL_CHECK_EVERY == 0:
            assert state.termination() is None and state.is_legal(int(action)), str(state)
        else:
            assert not board.is_insufficient_material() and board.halfmove_clock < 100
            assert state.repetitions() < 2 and board.ply() < limit
            assert board.is_legal(action_to_move(board, int(action))), str(state)
        state.apply_unchecked(int(action))
        follower.apply(int(action))
    assert np.array_equal(follower.legal_and_termination()[0], state.legal_actions())
    check_returns(follower, state, str(state.termination()))
    return state.termination()


def test_random_playthroughs_end_alike() -> None:
    endings: Counter[str | None] = Counter()
    played = np.zeros(GAME.spec.max_game_length, np.int32)
    for game in range(PLAYTHROUGHS):
        player = Follower(GAME.new_state())
        plies, code = compiled_random_game(RULES, player.stack, player.d, player.actions, game, played)
        ending = replay(Follower(GAME.new_state()), played[:plies])
        assert ending == TERMINATION_NAMES[code], game
        endings[ending] += 1
    assert sum(endings.values()) == PLAYTHROUGHS
    for name in ("checkmate", "stalemate", "insufficient_material", "fifty_moves", "max_length"):
        assert endings[name] > 0, endings


def test_shuffling_playthroughs_repeat_positions() -> None:
    """Pieces moved back and forth: threefold repetitions, every ply compared in full."""
    rng = np.random.default_rng(15)
    endings: Counter[str] = Counter()
    for _ in range(SHUFFLING_GAMES):
        state = GAME.new_state()
        endings[play_through(Follower(state), state, rng, 0.3)] += 1
    assert endings["threefold_repetition"] > SHUFFLING_GAMES // 2, endings


@pytest.mark.parametrize("max_game_length", [1, 7, 40])
def test_short_length_limits(max_game_length: int) -> None:
    game = ChessGame(max_game_length)
    rules = ChessRules(max_game_length)
    rng = np.random.default_rng(max_game_length)
    for _ in range(5):
        state = game.new_state()
        assert play_through(Follower(state, rules), state, rng, 0.0) == "max_length"


def termination_of(fen: str, rules: ChessRules = RULES) -> str | None:
    """The compiled termination of a FEN position."""
    stack = fen_rows(fen)
    return TERMINATION_NAMES[chess_termination(rules, stack, stack.shape[0] - 1)]


@pytest.mark.parametrize(("fen", "ending"), [
    ("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1", "stalemate"),
    ("6k1/5ppp/8/8/8/8/8/R5K1 b - - 0 1", None),
    ("R5k1/5ppp/8/8/8/8/8/6K1 b - - 0 1", "checkmate"),
    ("k7/8/1K6/8/8/8/8/7R w - - 99 80", None),
    ("7R/8/8/k7/8/2K5/8/8 w - - 100 80", "fifty_moves"),
    ("k6R/8/1K6/8/8/8/8/8 b - - 100 80", "checkmate"),  # mate on the 100th ply beats the fifty-move rule
    ("8/8/8/4k3/8/8/8/4K3 w - - 100 300", "insufficient_material"),  # before fifty moves and the length
    ("8/8/8/4k3/8/8/8/R3K3 w - - 0 257", "max_length"),  # ply 512
    ("8/8/8/4k3/8/8/8/R3K3 b - - 0 256", None),  # ply 511
])
def test_rule_order_on_fens(fen: str, ending: str | None) -> None:
    assert termination_of(fen) == ending == GAME.state_from_string(fen).termination()


INSUFFICIENT = [
    "8/8/8/4k3/8/8/8/4K3 w - - 0 1",  # K v K
    "8/8/8/4k3/8/8/8/4KN2 w - - 0 1",  # K+N v K
    "8/8/8/4k3/8/8/8/4KB2 w - - 0 1",  # K+B v K
    "8/8/8/3bk3/8/8/8/4KB2 w - - 0 1",  # bishops on opposite colours: not insufficient
    "8/8/8/2b1k3/8/8/8/4KB2 w - - 0 1",  # bishops on the same colour
    "8/8/8/4k3/8/8/8/3NKN2 w - - 0 1",  # two knights: not insufficient
    "8/8/8/4k3/8/8/4q3/4KN2 w - - 0 1",  # K+N v K+Q: the knight side cannot win, the queen side can
    "8/8/8/4k3/8/8/5n2/4KN2 w - - 0 1",  # K+N v K+N: selfmate is possible
    "8/8/8/4k3/8/8/5b2/4KN2 w - - 0 1",  # K+N v K+B
    "8/8/8/4k3/8/8/5p2/4K3 w - - 0 1",  # a pawn
    "8/8/8/4k3/8/8/8/4K2R w - - 0 1",  # a rook
    "8/8/8/1b2k3/8/3B4/8/4K3 w - - 0 1",  # bishops on one colour
    "8/8/b7/4k3/8/8/8/4KB1B w - - 0 1",  # three bishops of one colour (promoted)
    "8/8/8/4k3/8/8/8/4KBB1 w - - 0 1",  # bishops of both colours, one side
    "8/8/8/4k3/8/1n6/8/4KB2 w - - 0 1",  # K+B v K+N
]
"""Material combinations around python-chess's ``is_insufficient_material``."""


@pytest.mark.parametrize("fen", INSUFFICIENT)
def test_insufficient_material_as_python_chess(fen: str) -> None:
    stack = fen_rows(fen)
    board = chess.Board(fen)
    assert insufficient_material(stack, stack.shape[0] - 1) == board.is_insufficient_material()
    mirrored = fen_rows(board.mirror().fen())
    assert insufficient_material(mirrored, mirrored.shape[0] - 1) == board.is_insufficient_material()
    assert (termination_of(fen) == "insufficient_material") == (
        GAME.state_from_string(fen).termination() == "insufficient_material")


def test_insufficient_material_reached_by_a_capture() -> None:
    state = GAME.state_from_string("8/8/8/4k3/8/8/3r4/4K3 w - - 0 1")
    follower = Follower(state)
    action = state.string_to_action("Kxd2")
    follower.apply(action)
    assert chess_termination(RULES, follower.stack, follower.d) == INSUFFICIENT_MATERIAL


def test_threefold_repetition_by_a_knight_shuffle() -> None:
    state = GAME.new_state()
    follower = Follower(state)
    for i, san in enumerate(["Nf3", "Nf6", "Ng1", "Ng8"] * 2):
        assert follower.legal_and_termination()[1] is None
        action = state.string_to_action(san)
        state.apply(action)
        follower.apply(action)
        assert follower.row[W_REPS] == state.repetitions()
    assert follower.row[W_REPS] == 2
    legal, ending = follower.legal_and_termination()
    assert len(legal) == 0 and ending == "threefold_repetition"
    assert state.termination() == "threefold_repetition"


def test_repetitions_counted_through_the_root_history() -> None:
    """The first two occurrences are in the root's history rows, the third is made below the root."""
    state = GAME.state_from_moves(["e4", "e5", "Nf3", "Nf6", "Ng1", "Ng8", "Nf3", "Nf6"])
    follower = Follower(state)
    for san in ["Ng1", "Ng8"]:
        assert follower.legal_and_termination()[1] is None
        action = state.string_to_action(san)
        state.apply(action)
        follower.apply(action)
    assert state.termination() == "threefold_repetition"
    assert follower.legal_and_termination()[1] == "threefold_repetition"


def test_a_long_cycle_repeats_far_back() -> None:
    """A rook walking round a 20-ply cycle: occurrences 20 and 40 plies back are found."""
    fen = "k7/8/8/8/8/8/8/K6R w - - 0 1"
    tour = ["Rh2", "Rh3", "Rh4", "Rh5", "Rh6", "Rg6", "Rf6", "Re6", "Re1", "Rh1"]
    state = GAME.state_from_string(fen)
    follower = Follower(state)
    black = ["Kb8", "Ka8"]
    while state.termination() is None:
        move = tour[len(state.history) // 2 % len(tour)] if state.board.turn else black[len(state.history) // 2 % 2]
        action = state.string_to_action(move)
        state.apply(action)
        follower.apply(action)
        assert follower.row[W_REPS] == state.repetitions()
        assert follower.legal_and_termination()[1] == state.termination()
    assert state.termination() == "threefold_repetition" and len(state.history) == 40


def test_fifty_move_rule_after_a_quiet_move() -> None:
    state = GAME.state_from_string("8/8/8/4k3/8/8/8/R3K3 w - - 99 80")
    follower = Follower(state)
    action = state.string_to_action("Ra2")
    state.apply(action)
    follower.apply(action)
    assert follower.row[W_HALFMOVE] == 100 and follower.row[W_PLY] == state.board.ply()
    legal, ending = follower.legal_and_termination()
    assert len(legal) == 0 and ending == "fifty_moves"
    reset = GAME.state_from_string("8/p7/8/4k3/8/8/8/R3K3 w - - 99 80")
    follower = Follower(reset)
    follower.apply(reset.string_to_action("Rxa7"))
    assert follower.row[W_HALFMOVE] == 0 and follower.legal_and_termination()[1] is None


def test_termination_codes_are_named_like_the_state() -> None:
    assert TERMINATION_NAMES[ONGOING] is None
    assert set(TERMINATION_NAMES[1:]) == {"checkmate", "stalemate", "insufficient_material", "fifty_moves",
                                          "threefold_repetition", "max_length"}
