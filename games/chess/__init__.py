"""Chess: python-chess rules behind the project's Game/State API, AlphaZero's action encoding and
observation planes.

Rules and draws (:mod:`games.chess.state`): the game ends at checkmate (the mated side gets -1, the
other +1) or as a draw (returns ``[0, 0]``) at stalemate, insufficient material, the fifty-move rule
(automatic: ``board.is_fifty_moves()``, 100 plies without capture or pawn move), threefold repetition
(automatic: ``board.is_repetition(3)``) or after ``spec.max_game_length`` plies (512 by default).
``state.termination()`` names the ending: ``checkmate``, ``stalemate``, ``insufficient_material``,
``fifty_moves``, ``threefold_repetition``, ``max_length`` (``None`` while the game goes on). Player 0
is White.

Actions (:mod:`games.chess.actions`): 8 x 8 x 73 = 4672, ``action = plane * 64 + from_square`` seen
from the side to move (board flipped vertically for Black): planes 0..55 queen-like moves (8
directions N, NE, E, SE, S, SW, W, NW x distances 1..7; also castling as the king's two-square move
and promotions to a queen), 56..63 knight jumps, 64..72 underpromotions (knight, bishop, rook x
capture-left, push, capture-right). :func:`move_to_action` and :func:`action_to_move` convert.

Observation (:mod:`games.chess.observation`): float32 ``[119, 8, 8]``, the last 8 positions (12
piece planes + 2 repetition planes each) then colour, move count, 4 castling rights, no-progress count.

Text: ``str(state)`` is the FEN; ``game.state_from_string`` parses a FEN (malformed or impossible
positions raise :class:`~games.core.StateParseError`); ``action_to_string`` is SAN and
``string_to_action`` takes SAN or UCI; :meth:`ChessGame.state_from_moves` replays a move list.
``state.board`` is the python-chess board (with its move stack), for engines and PGN writers.

Compiled core (numba, what search runs on; python-chess stays the front door and the tests' oracle):
:mod:`~games.chess.bitboards` (tables, obstruction-difference slider attacks),
:mod:`~games.chess.position` (a position as one int64 row: layout, copy-make, Zobrist keys, repetition
counts), :mod:`~games.chess.movegen` (fully legal generation with pin and checker masks),
:mod:`~games.chess.encode` (the action numbering above), :mod:`~games.chess.planes` (the observation),
:mod:`~games.chess.material` (the material heuristic, ``gives_check``), :mod:`~games.chess.kernels` (the
compiled-game protocol kernels and termination codes), :mod:`~games.chess.rules` (``ChessRules`` and the
spec's ``compiled``), :mod:`~games.chess.convert` (ChessState -> rows, row -> board/FEN) and
:mod:`~games.chess.perft`.
"""
from games.chess.actions import NUM_ACTIONS, action_to_move, move_to_action
from games.chess.game import ChessGame, chess_spec, parse_fen
from games.chess.state import ChessState

__all__ = ["NUM_ACTIONS", "ChessGame", "ChessState", "action_to_move", "chess_spec", "move_to_action", "parse_fen"]
