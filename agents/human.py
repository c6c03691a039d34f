"""The ``human`` agent: a person types moves on standard input.

Accepted move text (:func:`parse_move`, also used by ``agents.play --moves``):

* chess: UCI (``e2e4``, ``e7e8q``) or SAN (``e4``, ``Nf3``, ``O-O``);
* connect four: the column, ``0`` .. ``6`` (the game's own notation);
* poker: ``fold``, ``check``, ``call``, ``bet``, ``raise`` (Kuhn poker has only Pass and Bet: fold and
  check mean Pass; call, bet and raise mean Bet), or the game's own action text;
* any game: the game's ``action_to_string`` text (case ignored).

The board (or, in poker, the player's information state) and the legal moves are shown before each
move; an illegal or unparsable move is refused with a message and asked again. End of input raises
:class:`~agents.core.AgentError`. Prompts go to standard error so that ``--json`` output stays clean.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO

import chess

from agents.core import Agent, AgentError, AgentKind
from games.core import Game, IllegalActionError, State

_POKER_WORDS: dict[str, tuple[str, ...]] = {
    # a word the player may type -> action texts it may mean, most specific first
    "fold": ("fold", "pass"),
    "check": ("check", "call", "pass"),
    "call": ("call", "check", "bet"),
    "bet": ("bet", "raise"),
    "raise": ("raise", "bet"),
    "pass": ("pass", "check", "fold"),
}


def _legal_texts(state: State) -> dict[str, int]:
    return {state.action_to_string(int(a)): int(a) for a in state.legal_actions()}


def _parse_chess(state: State, text: str) -> int | None:
    from games.chess.actions import move_to_action

    board: chess.Board = state.board  # type: ignore[attr-defined]
    move: chess.Move | None = None
    try:
        move = chess.Move.from_uci(text)
    except ValueError:
        try:
            move = board.parse_san(text)
        except ValueError:
            return None
    if move not in board.legal_moves:
        return None
    return int(move_to_action(board, move))


def _parse_poker_word(texts: dict[str, int], word: str) -> int | None:
    lowered = {t.lower(): a for t, a in texts.items()}
    for wanted in _POKER_WORDS.get(word, ()):
        for text, action in lowered.items():
            if wanted in text.replace("=", " ").replace(":", " ").split() or text == wanted:
                return action
    return None


def parse_move(state: State, text: str) -> int:
    """The legal action ``text`` names in ``state``; raises :class:`IllegalActionError` otherwise."""
    text = text.strip()
    if not text:
        raise IllegalActionError("empty move")
    if hasattr(state, "board") and isinstance(getattr(state, "board"), chess.Board):
        action = _parse_chess(state, text)
        if action is not None:
            return action
        raise IllegalActionError(f"'{text}' is not a legal chess move here (UCI like e2e4 or SAN like Nf3)")
    texts = _legal_texts(state)
    if text in texts:
        return texts[text]
    by_lower = {t.lower(): a for t, a in texts.items()}
    if text.lower() in by_lower:
        return by_lower[text.lower()]
    if not state.game.spec.perfect_information:
        action = _parse_poker_word(texts, text.lower())
        if action is not None:
            return action
    raise IllegalActionError(f"'{text}' is not a legal move here (legal: {', '.join(texts)})")


def describe(state: State) -> str:
    """What the player to move may see: the board, or their information state in poker."""
    player = state.current_player
    if not state.game.spec.perfect_information and hasattr(state, "information_state_string"):
        return str(state.information_state_string(player))  # type: ignore[attr-defined]
    board = getattr(state, "board", None)
    if isinstance(board, chess.Board):
        return f"{board.unicode(empty_square='.')}\nFEN {board.fen()}"
    board_string = getattr(state, "board_string", None)
    if callable(board_string):
        return str(board_string())
    return str(state)


@dataclass(frozen=True)
class HumanOptions:
    """Options of ``human``."""

    show: bool = True
    """Show the board (or information state) and the legal moves before each move."""


class HumanAgent(Agent):
    """Reads moves from a text stream (standard input by default), asking again after a bad one."""

    def __init__(self, show: bool = True, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
        self.show = show
        self.stdin = stdin
        self.stdout = stdout

    def _write(self, text: str) -> None:
        out = self.stdout or sys.stderr
        out.write(text)
        out.flush()

    def act(self, state: State) -> int:
        player = state.current_player
        if self.show:
            legal = " ".join(state.action_to_string(int(a)) for a in state.legal_actions())
            self._write(f"\n{describe(state)}\nlegal: {legal}\n")
        while True:
            self._write(f"player {player}, your move: ")
            line = (self.stdin or sys.stdin).readline()
            if not line:
                raise AgentError("human: end of input before a move was given")
            try:
                return parse_move(state, line)
            except IllegalActionError as err:
                self._write(f"{err}; try again\n")


def _build(game: Game, options: HumanOptions, seed: int) -> HumanAgent:
    return HumanAgent(show=options.show)


AGENT = AgentKind(name="human", options=HumanOptions, build=_build,
                  help="a person typing moves on standard input (UCI/SAN, a column, fold/call/raise)")
