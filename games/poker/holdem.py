"""Heads-up limit Texas hold'em with the ACPC betting structure (open_spiel's ``universal_poker`` limit game).

It is the game of :data:`OPENSPIEL_LIMIT_HOLDEM` (ACPC ``blind = 2 1``, ``firstPlayer = 2 1 1 1``,
``raiseSize = 2 2 4 4``, ``maxRaises = 3 4 4 4``):

* Player 0 posts the big blind (2 chips), player 1 the small blind (1 chip). Player 1 acts first
  before the flop, player 0 first on the flop, turn and river.
* Bets and raises are 2 chips before the flop and on the flop, 4 on the turn and river. At most 3
  raises before the flop (the big blind is not counted, so 4 bets of 2) and 4 (a bet and 3 raises)
  on later streets. Stacks never limit the betting.
* Actions ``0`` fold, ``1`` call/check, ``2`` raise/bet. Fold is legal only when facing a bet (open_spiel
  offers a free fold and then fails when it is applied; this game does not offer it).
* Chance deals one card at a time from the 52-card deck (:mod:`games.poker.cards` numbering,
  ``0`` = 2c .. ``51`` = As): player 0's two hole cards, player 1's two, then 3 flop cards, the turn
  and the river, each undealt card equally likely.
* Returns are chips won or lost (the big blind is 2 chips); at most 48 a hand (a capped pot of 96).
  The showdown uses :mod:`games.poker.hand_eval`; equal hands split the pot.

``information_state_tensor(p)`` (and ``observation()`` for the player to move; player 0's view at
chance and terminal nodes) is float32 [160]: observer one-hot [2], own hole cards [52], board cards
[52], round one-hot [4], betting per round (4 rounds x 6 slots x 2 bits: call 10, raise 01) [48],
then the observer's and the opponent's contributions divided by 48 [2].

``information_state_string(p)`` is ``[Observer: p][Private: AsKd][Public: 7h8h9h][Round: 1][Sequences: rc|c]``:
the player's hole cards and the board in dealing order, the round and the actions per round up to the
current one (``f`` fold, ``c`` call/check, ``r`` raise/bet; rounds separated by ``|`` as open_spiel's
``Sequences``).
``str(state)``: see :mod:`games.poker.base` (``"As Ah 2c 3c call call 7h 8h 9h raise call ..."``).
"""
from __future__ import annotations

import numpy as np

from games.core import CHANCE, TERMINAL, Game, GameSpec
from games.poker.base import PokerGame, BETTING_NAMES, BETTING_WORDS, CALL, FOLD, RAISE, PokerState
from games.poker.cards import DECK_SIZE, card_to_string, cards_to_string, string_to_card
from games.poker.hand_eval import evaluate_cards

OPENSPIEL_LIMIT_HOLDEM = (
    "universal_poker(betting=limit,numPlayers=2,numRounds=4,blind=2 1,firstPlayer=2 1 1 1,numSuits=4,"
    "numRanks=13,numHoleCards=2,numBoardCards=0 3 1 1,raiseSize=2 2 4 4,maxRaises=3 4 4 4)"
)
"""The open_spiel game string of the same game (tests compare against it)."""
BLINDS = (2, 1)
"""Blind posted by player 0 (big) and player 1 (small)."""
FIRST_PLAYER = (1, 0, 0, 0)
"""Player who acts first in each round."""
RAISE_SIZE = (2, 2, 4, 4)
"""Bet/raise size per round."""
MAX_RAISES = (3, 4, 4, 4)
"""Raises allowed per round (the big blind is not a raise)."""
NUM_ROUNDS = 4
HOLE_CARDS = 2
BOARD_CARDS_BY_ROUND = (0, 3, 4, 5)
"""Board cards showing during each round."""
SLOTS_PER_ROUND = max(MAX_RAISES) + 2
"""Most actions in one round (check, bet, 3 raises, call)."""
MAX_CONTRIBUTION = BLINDS[0] + sum(r * s for r, s in zip(MAX_RAISES, RAISE_SIZE))
"""Most chips one player can put in: 48."""
TENSOR_SIZE = 2 + 2 * DECK_SIZE + NUM_ROUNDS + NUM_ROUNDS * SLOTS_PER_ROUND * 2 + 2
_LETTERS = "fcr"

HOLDEM_SPEC = GameSpec(
    name="holdem_limit",
    num_players=2,
    num_actions=3,
    observation_shape=(TENSOR_SIZE,),
    max_game_length=sum(r + 2 for r in MAX_RAISES),
    min_utility=-float(MAX_CONTRIBUTION),
    max_utility=float(MAX_CONTRIBUTION),
    zero_sum=True,
    perfect_information=False,
    has_chance=True,
)
"""The limit hold'em spec (23 player actions at most, utilities +-48 chips)."""


class HoldemLimitState(PokerState):
    """A heads-up limit hold'em state."""

    def __init__(self, game: "HoldemLimitGame") -> None:
        super().__init__(game)
        self.hole: list[list[int]] = [[], []]
        """Hole card ids per player, in dealing order."""
        self.board: list[int] = []
        """Board card ids in dealing order."""
        self.round = 0
        """Betting round: 0 preflop, 1 flop, 2 turn, 3 river."""
        self.sequences: list[list[int]] = [[] for _ in range(NUM_ROUNDS)]
        """Betting actions per round."""
        self.contributions = list(BLINDS)
        """Chips each player has put in the pot."""
        self._raises = 0
        self._folded = -1
        self._terminal = False

    # ----- accessors for CFR ---------------------------------------------------------------
    def private_cards(self, player: int) -> tuple[int, ...]:
        """Hole card ids of ``player`` dealt so far."""
        return tuple(self.hole[player])

    def public_cards(self) -> tuple[int, ...]:
        """Board card ids dealt so far."""
        return tuple(self.board)

    def _num_dealt(self) -> int:
        return len(self.hole[0]) + len(self.hole[1]) + len(self.board)

    def _needs_card(self) -> bool:
        return self._num_dealt() < 2 * HOLE_CARDS + BOARD_CARDS_BY_ROUND[self.round]

    @property
    def current_player(self) -> int:
        if self._terminal:
            return TERMINAL
        if self._needs_card():
            return CHANCE
        return FIRST_PLAYER[self.round] ^ (len(self.sequences[self.round]) % 2)

    def is_terminal(self) -> bool:
        return self._terminal

    def _legal_list(self) -> list[int]:
        player = self.current_player
        if player == TERMINAL:
            return []
        if player == CHANCE:
            used = set(self.hole[0]) | set(self.hole[1]) | set(self.board)
            return [c for c in range(DECK_SIZE) if c not in used]
        legal = [FOLD] if self.contributions[player] < self.contributions[1 - player] else []
        legal.append(CALL)
        if self._raises < MAX_RAISES[self.round]:
            legal.append(RAISE)
        return legal

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Undealt cards, each equally likely."""
        if self.current_player != CHANCE:
            return super().chance_outcomes()
        actions = np.asarray(self._legal_list(), dtype=np.int64)
        return actions, np.full(len(actions), 1.0 / len(actions))

    def _deals_private_card(self) -> bool:
        return self._num_dealt() < 2 * HOLE_CARDS

    def _do_apply(self, action: int) -> None:
        if self._needs_card():
            if len(self.hole[0]) < HOLE_CARDS:
                self.hole[0].append(action)
            elif len(self.hole[1]) < HOLE_CARDS:
                self.hole[1].append(action)
            else:
                self.board.append(action)
            return
        player = self.current_player
        seq = self.sequences[self.round]
        seq.append(action)
        if action == FOLD:
            self._folded = player
            self._terminal = True
            return
        self.contributions[player] = self.contributions[1 - player]
        if action == RAISE:
            self.contributions[player] += RAISE_SIZE[self.round]
            self._raises += 1
        elif len(seq) >= 2:  # a call that is not the first action closes the round
            if self.round == NUM_ROUNDS - 1:
                self._terminal = True
            else:
                self.round += 1
                self._raises = 0

    def returns(self) -> np.ndarray:
        out = np.zeros(2, dtype=np.float64)
        if not self._terminal:
            return out
        if self._folded >= 0:
            loser = self._folded
        else:
            values = [evaluate_cards(np.asarray(self.hole[p] + self.board, dtype=np.int64)) for p in range(2)]
            if values[0] == values[1]:
                return out
            loser = 0 if values[0] < values[1] else 1
        out[loser] = -self.contributions[loser]
        out[1 - loser] = self.contributions[loser]
        return out

    # ----- information states ------------------------------------------------------------------
    def betting_string(self) -> str:
        """Actions per round up to the current one, ``f``/``c``/``r``, rounds separated by ``|``."""
        return "|".join("".join(_LETTERS[a] for a in seq) for seq in self.sequences[: self.round + 1])

    def information_state_string(self, player: int) -> str:
        """The player's hole cards, the board, the round and the betting (format in the module docstring)."""
        return (f"[Observer: {player}][Private: {cards_to_string(self.hole[player])}]"
                f"[Public: {cards_to_string(self.board)}][Round: {self.round}][Sequences: {self.betting_string()}]")

    def information_state_tensor(self, player: int) -> np.ndarray:
        """float32 [160] (layout in the module docstring)."""
        out = np.zeros(TENSOR_SIZE, dtype=np.float32)
        out[player] = 1.0
        for card in self.hole[player]:
            out[2 + card] = 1.0
        for card in self.board:
            out[2 + DECK_SIZE + card] = 1.0
        base = 2 + 2 * DECK_SIZE
        out[base + self.round] = 1.0
        base += NUM_ROUNDS
        for rnd, seq in enumerate(self.sequences):
            for i, action in enumerate(seq):
                if action != FOLD:
                    out[base + (rnd * SLOTS_PER_ROUND + i) * 2 + (0 if action == CALL else 1)] = 1.0
        base += NUM_ROUNDS * SLOTS_PER_ROUND * 2
        out[base] = self.contributions[player] / MAX_CONTRIBUTION
        out[base + 1] = self.contributions[1 - player] / MAX_CONTRIBUTION
        return out

    # ----- text --------------------------------------------------------------------------------
    def _card_name(self, card: int) -> str:
        return card_to_string(card)

    def _card_from_name(self, name: str) -> int:
        return string_to_card(name)

    def _action_name(self, action: int) -> str:
        return BETTING_NAMES[action]

    def _word_to_action(self, word: str) -> int | None:
        return BETTING_WORDS.get(word)

    def copy(self) -> "HoldemLimitState":
        other = HoldemLimitState(self._game)  # type: ignore[arg-type]
        self._copy_base_into(other)
        other.hole = [list(h) for h in self.hole]
        other.board = list(self.board)
        other.round = self.round
        other.sequences = [list(s) for s in self.sequences]
        other.contributions = list(self.contributions)
        other._raises = self._raises
        other._folded = self._folded
        other._terminal = self._terminal
        return other


class HoldemLimitGame(PokerGame):
    """Heads-up limit Texas hold'em (ACPC structure)."""

    spec = HOLDEM_SPEC
    state_class = HoldemLimitState
