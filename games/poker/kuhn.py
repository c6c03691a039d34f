"""Kuhn poker, two players, with open_spiel's numbering, returns and information-state strings.

Three cards ``J Q K`` (chance outcomes 0, 1, 2): chance deals player 0's card (each 1/3), then player
1's (each remaining card 1/2). Both ante 1; player 0 acts first; actions ``0`` pass (check or fold)
and ``1`` bet (bet or call). The hand ends after ``pass pass``, ``bet pass`` (fold), ``bet bet``,
``pass bet pass`` (fold) or ``pass bet bet``; at a showdown the higher card wins the pot.

* ``information_state_string(p)`` equals open_spiel's ``kuhn_poker``: the card id then one letter per
  betting action (``"2pb"``), ``""`` until ``p``'s card is dealt.
* ``information_state_tensor(p)`` (and ``observation()`` for the player to move; player 0's view at
  chance and terminal nodes) equals open_spiel's: float32 [11] = player one-hot [2], card one-hot [3],
  then 2 bits per betting action for up to 3 actions (pass = 10, bet = 01).
* ``str(state)``: see :mod:`games.poker.base` (``"Q K pass bet pass"``).
"""
from __future__ import annotations

import numpy as np

from games.core import CHANCE, TERMINAL, Game, GameSpec, StateParseError
from games.poker.base import PokerGame, PokerState
from games.poker.cards import KUHN_CARD_NAMES

PASS = 0
BET = 1
NUM_CARDS = 3
ANTE = 1
_WORDS = {"pass": PASS, "check": PASS, "fold": PASS, "bet": BET, "call": BET, "raise": BET}
_LETTERS = "pb"
_TERMINAL_SEQUENCES = {(PASS, PASS), (BET, PASS), (BET, BET), (PASS, BET, PASS), (PASS, BET, BET)}
TENSOR_SIZE = 2 + NUM_CARDS + 3 * 2

KUHN_SPEC = GameSpec(
    name="kuhn_poker",
    num_players=2,
    num_actions=2,
    observation_shape=(TENSOR_SIZE,),
    max_game_length=3,
    min_utility=-2.0,
    max_utility=2.0,
    zero_sum=True,
    perfect_information=False,
    has_chance=True,
)
"""The Kuhn poker spec."""


class KuhnPokerState(PokerState):
    """A Kuhn poker state: dealt cards and the betting actions."""

    def __init__(self, game: "KuhnPokerGame") -> None:
        super().__init__(game)
        self.cards: list[int] = []
        """Dealt card ids, player 0's first."""
        self.bets: list[int] = []
        """Betting actions (0 pass, 1 bet) in order."""

    # ----- accessors for CFR ---------------------------------------------------------------
    def private_card(self, player: int) -> int:
        """Card id (0 J, 1 Q, 2 K) of ``player``, or -1 if not dealt yet."""
        return self.cards[player] if player < len(self.cards) else -1

    @property
    def current_player(self) -> int:
        if len(self.cards) < 2:
            return CHANCE
        if self.is_terminal():
            return TERMINAL
        return len(self.bets) % 2

    def is_terminal(self) -> bool:
        return tuple(self.bets) in _TERMINAL_SEQUENCES

    def _legal_list(self) -> list[int]:
        if len(self.cards) < 2:
            return [c for c in range(NUM_CARDS) if c not in self.cards]
        if self.is_terminal():
            return []
        return [PASS, BET]

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Undealt cards, each equally likely."""
        if self.current_player != CHANCE:
            return super().chance_outcomes()
        actions = np.asarray(self._legal_list(), dtype=np.int64)
        return actions, np.full(len(actions), 1.0 / len(actions))

    def _deals_private_card(self) -> bool:
        return True

    def _do_apply(self, action: int) -> None:
        if len(self.cards) < 2:
            self.cards.append(action)
        else:
            self.bets.append(action)

    def contributions(self) -> list[int]:
        """Chips each player has put in the pot."""
        put = [ANTE, ANTE]
        for i, action in enumerate(self.bets):
            put[i % 2] += action
        return put

    def returns(self) -> np.ndarray:
        out = np.zeros(2, dtype=np.float64)
        if not self.is_terminal():
            return out
        put = self.contributions()
        if self.bets[-1] == PASS and BET in self.bets:
            loser = (len(self.bets) - 1) % 2  # folded
        else:
            loser = 0 if self.cards[0] < self.cards[1] else 1
        out[loser] = -put[loser]
        out[1 - loser] = put[loser]
        return out

    # ----- information states ------------------------------------------------------------------
    def information_state_string(self, player: int) -> str:
        """open_spiel's Kuhn information state: card id then ``p``/``b`` per betting action."""
        if player >= len(self.cards):
            return ""
        return str(self.cards[player]) + "".join(_LETTERS[a] for a in self.bets)

    def information_state_tensor(self, player: int) -> np.ndarray:
        """float32 [11], equal to open_spiel's (layout in the module docstring)."""
        out = np.zeros(TENSOR_SIZE, dtype=np.float32)
        out[player] = 1.0
        if player < len(self.cards):
            out[2 + self.cards[player]] = 1.0
        for i, action in enumerate(self.bets):
            out[2 + NUM_CARDS + 2 * i + action] = 1.0
        return out

    # ----- text --------------------------------------------------------------------------------
    def _card_name(self, card: int) -> str:
        return KUHN_CARD_NAMES[card]

    def _card_from_name(self, name: str) -> int:
        if name.upper() not in KUHN_CARD_NAMES:
            raise StateParseError(f"'{name}' is not a Kuhn card (J, Q, K)")
        return KUHN_CARD_NAMES.index(name.upper())

    def _action_name(self, action: int) -> str:
        return "pass" if action == PASS else "bet"

    def _word_to_action(self, word: str) -> int | None:
        return _WORDS.get(word)

    def copy(self) -> "KuhnPokerState":
        other = KuhnPokerState(self._game)  # type: ignore[arg-type]
        self._copy_base_into(other)
        other.cards = list(self.cards)
        other.bets = list(self.bets)
        return other


class KuhnPokerGame(PokerGame):
    """Two-player Kuhn poker."""

    spec = KUHN_SPEC
    state_class = KuhnPokerState
