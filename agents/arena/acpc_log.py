"""Hand histories in the ACPC log format: one ``STATE:`` line per hand.

    STATE:<hand>:<betting>:<cards>:<results>:<players>
    STATE:3:r300c/cr900c/c/r2000f:Ah9s|KdKc/2c8h9d/Ts/3h:-900|900:A_cfr|B_subgame

* ``betting``: the rounds' actions separated by ``/`` (``f`` fold, ``c`` check/call, ``r<N>`` raise to N
  chips in the whole hand);
* ``cards``: each position's hole cards separated by ``|``, then the board, ``/`` before each round's cards;
* ``results``: chips won by each position; ``players``: the name in each position.

Positions are the game's players (:mod:`games.poker.holdem_nolimit`: position 0 posts the big blind, as
in ACPC's ``reverse_blinds`` gamedef). Names are the agent specs with the characters the format uses
(``:``, ``|``) replaced by ``_``, prefixed by the match side (``A_``, ``B_``) when given.
"""
from __future__ import annotations

from games.core import Game
from games.poker.cards import cards_to_string
from games.poker.holdem_nolimit import action_text
from games.poker.nolimit_rules import BOARD_CARDS_BY_ROUND

from agents.arena.records import GameRecord


def _name(text: str) -> str:
    return "".join("_" if ch in ":|" or ch.isspace() else ch for ch in text)


def state_line(game: Game, record: GameRecord, hand: int, names: tuple[str, str] | None = None) -> str:
    """The ``STATE:`` line of a finished hand of a ``holdem_nolimit`` game."""
    state = game.new_state() if record.start is None else game.state_from_string(record.start)
    for action in record.actions:  # the actions played from the start on
        state.apply(int(action))
    rounds = [seq for seq in state.sequences[: state.round + 1]]  # type: ignore[attr-defined]
    betting = "/".join("".join(action_text(a) for a in seq) for seq in rounds)
    holes = "|".join(cards_to_string(list(state.hole[p])) for p in range(2))  # type: ignore[attr-defined]
    board = list(state.board)  # type: ignore[attr-defined]
    cuts = [c for c in BOARD_CARDS_BY_ROUND[1:] if c <= len(board)]
    starts = [0] + cuts[:-1]
    shown = "".join("/" + cards_to_string(board[a:b]) for a, b in zip(starts, cuts))
    results = "|".join(f"{r:g}" for r in record.returns)
    players = "|".join(_name(n) for n in (names or record.specs))
    return f"STATE:{hand}:{betting}:{holes}{shown}:{results}:{players}"
