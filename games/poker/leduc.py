"""Leduc poker, two players, with open_spiel's numbering, returns and information-state strings.

Six cards ``J1 J2 Q1 Q2 K1 K2`` (chance outcomes 0..5, rank ``id // 2``). Each player antes 1 from 100
chips; chance deals player 0's then player 1's private card. Two betting rounds, player 0 first in
each, raises of 2 then 4, at most 2 raises a round; actions ``0`` fold (only when facing a bet),
``1`` call/check, ``2`` raise/bet. After round 1 chance deals the public card. At the showdown a pair
with the public card wins, else the higher private rank; equal ranks split the pot. Returns are chips
won or lost.

* ``information_state_string(p)`` equals open_spiel's ``leduc_poker``, e.g.
  ``[Observer: 1][Private: 3][Round 2][Player: 0][Pot: 6][Money: 97 97][Public: 5][Round1: 2 1][Round2: ]``.
* ``information_state_tensor(p)`` (and ``observation()`` for the player to move; player 0's view at
  chance and terminal nodes) equals open_spiel's: float32 [30] = player one-hot [2], private card
  one-hot [6], public card one-hot [6], then per round 4 action slots of 2 bits (call 10, raise 01,
  fold 00).
* ``str(state)``: see :mod:`games.poker.base` (``"J1 K2 raise call Q1 call call"``).
"""
from __future__ import annotations

import numpy as np

from games.core import CHANCE, TERMINAL, Game, GameSpec, StateParseError
from games.poker.base import PokerGame, BETTING_NAMES, BETTING_WORDS, CALL, FOLD, RAISE, PokerState
from games.poker.cards import LEDUC_CARD_NAMES

NUM_CARDS = 6
ANTE = 1
STARTING_MONEY = 100
RAISE_AMOUNTS = (2, 4)
"""Raise size in round 1 and round 2."""
MAX_RAISES = 2
"""Raises allowed per round."""
SLOTS_PER_ROUND = 4
"""Most actions in one betting round (check, raise, raise, call)."""
INVALID_CARD = -10000
"""What open_spiel prints for a card not dealt yet."""
TENSOR_SIZE = 2 + 2 * NUM_CARDS + 2 * SLOTS_PER_ROUND * 2
MAX_UTILITY = float(MAX_RAISES * RAISE_AMOUNTS[0] + MAX_RAISES * RAISE_AMOUNTS[1] + ANTE)

LEDUC_SPEC = GameSpec(
    name="leduc_poker",
    num_players=2,
    num_actions=3,
    observation_shape=(TENSOR_SIZE,),
    max_game_length=2 * SLOTS_PER_ROUND,
    min_utility=-MAX_UTILITY,
    max_utility=MAX_UTILITY,
    zero_sum=True,
    perfect_information=False,
    has_chance=True,
)
"""The Leduc poker spec (utilities +-13 chips)."""


class LeducPokerState(PokerState):
    """A Leduc poker state, with the bookkeeping open_spiel's strings print (pot, money, player)."""

    def __init__(self, game: "LeducPokerGame") -> None:
        super().__init__(game)
        self.private_cards = [INVALID_CARD, INVALID_CARD]
        """Private card id per player (INVALID_CARD until dealt)."""
        self.public_card = INVALID_CARD
        """Public card id (INVALID_CARD until dealt)."""
        self.round = 1
        """Betting round, 1 or 2."""
        self.sequences: list[list[int]] = [[], []]
        """Betting actions of round 1 and round 2."""
        self.contributions = [ANTE, ANTE]
        """Chips each player has put in the pot."""
        self.money = [STARTING_MONEY - ANTE, STARTING_MONEY - ANTE]
        """Chips each player holds (pot paid out at the end)."""
        self.pot = 2 * ANTE
        self._stakes = ANTE
        self._num_raises = 0
        self._num_calls = 0
        self._dealt = 0
        self._mover = CHANCE
        """open_spiel's ``cur_player_``: chance, the player to act, or the last actor once over."""
        self._terminal = False

    # ----- accessors for CFR ---------------------------------------------------------------
    def private_card(self, player: int) -> int:
        """Card id of ``player`` (0..5, rank ``id // 2``), or -1 if not dealt yet."""
        card = self.private_cards[player]
        return -1 if card == INVALID_CARD else card

    def public_card_id(self) -> int:
        """The public card id, or -1 if not dealt yet."""
        return -1 if self.public_card == INVALID_CARD else self.public_card

    @property
    def current_player(self) -> int:
        return TERMINAL if self._terminal else self._mover

    def is_terminal(self) -> bool:
        return self._terminal

    def _legal_list(self) -> list[int]:
        if self._terminal:
            return []
        if self._mover == CHANCE:
            used = set(self.private_cards) | {self.public_card}
            return [c for c in range(NUM_CARDS) if c not in used]
        legal = [FOLD] if self._stakes > self.contributions[self._mover] else []
        legal.append(CALL)
        if self._num_raises < MAX_RAISES:
            legal.append(RAISE)
        return legal

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Undealt cards, each equally likely."""
        if self.current_player != CHANCE:
            return super().chance_outcomes()
        actions = np.asarray(self._legal_list(), dtype=np.int64)
        return actions, np.full(len(actions), 1.0 / len(actions))

    def _deals_private_card(self) -> bool:
        return self._dealt < 2

    def _put(self, player: int, amount: int) -> None:
        self.pot += amount
        self.contributions[player] += amount
        self.money[player] -= amount

    def _do_apply(self, action: int) -> None:
        if self._mover == CHANCE:
            if self._dealt < 2:
                self.private_cards[self._dealt] = action
                self._dealt += 1
                if self._dealt == 2:
                    self._mover = 0
            else:
                self.public_card = action
                self._mover = 0
            return
        player = self._mover
        self.sequences[self.round - 1].append(action)
        if action == FOLD:
            self._finish(winner=1 - player)
            return
        if action == CALL:
            self._put(player, self._stakes - self.contributions[player])
            self._num_calls += 1
        else:
            self._put(player, self._stakes - self.contributions[player])
            self._stakes += RAISE_AMOUNTS[self.round - 1]
            self._put(player, RAISE_AMOUNTS[self.round - 1])
            self._num_raises += 1
            self._num_calls = 0
        round_over = self._num_calls == (1 if self._num_raises else 2)
        if not round_over:
            self._mover = 1 - player
        elif self.round == 2:
            self._finish(winner=self._showdown_winner())
        else:
            self.round = 2
            self._num_raises = 0
            self._num_calls = 0
            self._mover = CHANCE

    def _showdown_winner(self) -> int:
        """0 or 1, or -1 for a split pot."""
        scores = []
        for card in self.private_cards:
            paired = card // 2 == self.public_card // 2
            scores.append((paired, card // 2))
        if scores[0] == scores[1]:
            return -1
        return 0 if scores[0] > scores[1] else 1

    def _finish(self, winner: int) -> None:
        if winner < 0:
            for p in range(2):
                self.money[p] += self.pot // 2
        else:
            self.money[winner] += self.pot
        self.pot = 0
        self._terminal = True

    def returns(self) -> np.ndarray:
        if not self._terminal:
            return np.zeros(2, dtype=np.float64)
        return np.asarray([m - STARTING_MONEY for m in self.money], dtype=np.float64)

    # ----- information states ------------------------------------------------------------------
    def information_state_string(self, player: int) -> str:
        """open_spiel's Leduc information state string for ``player``."""
        parts = [f"[Observer: {player}][Private: {self.private_cards[player]}][Round {self.round}]",
                 f"[Player: {self._mover}][Pot: {self.pot}][Money: {self.money[0]} {self.money[1]}]"]
        if self.public_card != INVALID_CARD:
            parts.append(f"[Public: {self.public_card}]")
        r1, r2 = (" ".join(str(a) for a in seq) for seq in self.sequences)
        parts.append(f"[Round1: {r1}][Round2: {r2}]")
        return "".join(parts)

    def information_state_tensor(self, player: int) -> np.ndarray:
        """float32 [30], equal to open_spiel's (layout in the module docstring)."""
        out = np.zeros(TENSOR_SIZE, dtype=np.float32)
        out[player] = 1.0
        if self.private_cards[player] != INVALID_CARD:
            out[2 + self.private_cards[player]] = 1.0
        if self.public_card != INVALID_CARD:
            out[2 + NUM_CARDS + self.public_card] = 1.0
        base = 2 + 2 * NUM_CARDS
        for rnd, seq in enumerate(self.sequences):
            for i, action in enumerate(seq):
                if action != FOLD:
                    out[base + (rnd * SLOTS_PER_ROUND + i) * 2 + (0 if action == CALL else 1)] = 1.0
        return out

    # ----- text --------------------------------------------------------------------------------
    def _card_name(self, card: int) -> str:
        return LEDUC_CARD_NAMES[card]

    def _card_from_name(self, name: str) -> int:
        if name.upper() not in LEDUC_CARD_NAMES:
            raise StateParseError(f"'{name}' is not a Leduc card ({', '.join(LEDUC_CARD_NAMES)})")
        return LEDUC_CARD_NAMES.index(name.upper())

    def _action_name(self, action: int) -> str:
        return BETTING_NAMES[action]

    def _word_to_action(self, word: str) -> int | None:
        return BETTING_WORDS.get(word)

    def copy(self) -> "LeducPokerState":
        other = LeducPokerState(self._game)  # type: ignore[arg-type]
        self._copy_base_into(other)
        for name in ("public_card", "round", "pot", "_stakes", "_num_raises", "_num_calls", "_dealt", "_mover",
                     "_terminal"):
            setattr(other, name, getattr(self, name))
        other.private_cards = list(self.private_cards)
        other.sequences = [list(s) for s in self.sequences]
        other.contributions = list(self.contributions)
        other.money = list(self.money)
        return other


class LeducPokerGame(PokerGame):
    """Two-player Leduc poker."""

    spec = LEDUC_SPEC
    state_class = LeducPokerState
