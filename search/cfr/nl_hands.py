"""Private hands of the real-card subgame solver: which hands exist, which cards they block, how they rank.

The solver (:mod:`search.cfr.nl_resolve_kernels`) is vectorised over a fixed list of ``H`` hands. A
*hand model* says, for the public board at the subgame root:

* ``cards [H, 2]``: card ids each hand holds (two hands conflict when they share an id);
* ``combos [H]``: each hand's index in a model-wide numbering (the 1,326 hold'em combos of
  :data:`search.cfr.abstraction.COMBOS`, or the card of a Kuhn hand) so ranges and values can be handed
  between subgames whose roots have different boards;
* which cards chance deals next (hold'em: each card not on the board, 1/(cards left - 4) each, since the
  four hole cards are out of the deck too), and the hands' showdown values on a complete board.

:class:`HoldemHands` is real hold'em (no card abstraction). :class:`KuhnHands` gives each player one of
``C`` cards for the whole hand and deals no board (the ``cards = kuhn`` game of the blueprint trainer): a
game small enough that the exploitability of a re-solved strategy is computed exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from games.poker.nolimit_rules import BOARD_CARDS_BY_ROUND
from search.cfr.abstraction import COMBOS, NUM_CARDS, NUM_COMBOS, board_values

BLOCKED_VALUE = -1
"""Showdown value of a hand that holds a board card (it never reaches a showdown on that board)."""


class UnsupportedRootError(ValueError):
    """A subgame root the hand model cannot expand (a hold'em subgame before the flop)."""


@dataclass(frozen=True)
class HoldemHands:
    """Real hold'em hands: every combo that avoids the root board."""

    board: tuple[int, ...]
    """Board cards at the subgame root (3, 4 or 5)."""
    combos: np.ndarray = field(init=False, repr=False, compare=False)
    """int64 [H]: indices into :data:`COMBOS` of the combos that avoid the board, increasing."""
    cards: np.ndarray = field(init=False, repr=False, compare=False)
    """int64 [H, 2]: their cards."""

    def __post_init__(self) -> None:
        if len(self.board) not in (3, 4, 5) or len(set(self.board)) != len(self.board):
            raise UnsupportedRootError(f"real-card subgames start on the flop, turn or river; board {self.board}")
        used = np.zeros(NUM_CARDS, dtype=bool)
        used[list(self.board)] = True
        ok = ~(used[COMBOS[:, 0]] | used[COMBOS[:, 1]])
        object.__setattr__(self, "combos", np.flatnonzero(ok).astype(np.int64))
        object.__setattr__(self, "cards", COMBOS[self.combos].copy())

    @property
    def num_hands(self) -> int:
        return int(self.combos.shape[0])

    @property
    def num_card_ids(self) -> int:
        """Card ids are ``0 .. num_card_ids - 1``."""
        return NUM_CARDS

    @property
    def global_size(self) -> int:
        """Length of the model-wide hand numbering (1,326 combos)."""
        return NUM_COMBOS

    def deals_at(self, board: tuple[int, ...], next_round: int) -> bool:
        """Whether chance deals a card before round ``next_round`` (or, for ``next_round = 4``, before the
        showdown) when the board is ``board``."""
        target = BOARD_CARDS_BY_ROUND[min(next_round, 3)]
        if len(board) == 0 and target > 0:
            raise UnsupportedRootError("real-card subgames start after the flop is dealt")
        return len(board) < target

    def next_cards(self, board: tuple[int, ...]) -> list[int]:
        """Cards chance may deal next (each card not on ``board``)."""
        used = set(board)
        return [c for c in range(NUM_CARDS) if c not in used]

    def chance_weight(self, board: tuple[int, ...]) -> float:
        """Probability of each next card given both players' hands: 1 / (52 - board - 4)."""
        return 1.0 / (NUM_CARDS - len(board) - 4)

    def blocked(self, card: int) -> np.ndarray:
        """bool [H]: hands holding ``card``."""
        return (self.cards[:, 0] == card) | (self.cards[:, 1] == card)

    def showdown_values(self, board: tuple[int, ...]) -> np.ndarray:
        """int64 [H]: hand values with the complete ``board``; BLOCKED_VALUE for hands holding a board card."""
        if len(board) != 5:
            raise ValueError(f"a showdown needs five board cards, got {board}")
        return board_values(np.asarray(board, dtype=np.int64))[self.combos]


@dataclass(frozen=True)
class KuhnHands:
    """Each player holds one of ``cards`` cards (higher wins); no board is dealt."""

    cards_in_deck: int = 3
    """Cards in the deck."""
    board: tuple[int, ...] = ()
    """Always empty."""

    @property
    def num_hands(self) -> int:
        return self.cards_in_deck

    @property
    def combos(self) -> np.ndarray:
        return np.arange(self.cards_in_deck, dtype=np.int64)

    @property
    def cards(self) -> np.ndarray:
        """int64 [C, 2]: hand ``h`` holds ids ``h`` and ``C + h``, so two hands conflict exactly when equal."""
        h = np.arange(self.cards_in_deck, dtype=np.int64)
        return np.stack([h, h + self.cards_in_deck], axis=1)

    @property
    def num_card_ids(self) -> int:
        return 2 * self.cards_in_deck

    @property
    def global_size(self) -> int:
        return self.cards_in_deck

    def deals_at(self, board: tuple[int, ...], next_round: int) -> bool:
        return False

    def next_cards(self, board: tuple[int, ...]) -> list[int]:
        return []

    def chance_weight(self, board: tuple[int, ...]) -> float:
        return 1.0

    def blocked(self, card: int) -> np.ndarray:
        return np.zeros(self.cards_in_deck, dtype=bool)

    def showdown_values(self, board: tuple[int, ...]) -> np.ndarray:
        return np.arange(self.cards_in_deck, dtype=np.int64)


HandModel = HoldemHands | KuhnHands
"""The hand models the solver knows."""


def to_global(model: HandModel, local: np.ndarray) -> np.ndarray:
    """float64 [global_size]: a per-hand vector ``[H]`` spread over the model-wide numbering (0 elsewhere)."""
    out = np.zeros(model.global_size)
    out[model.combos] = local
    return out


def to_local(model: HandModel, full: np.ndarray) -> np.ndarray:
    """float64 [H]: the entries of a model-wide vector for the model's hands."""
    return np.asarray(full, dtype=np.float64)[model.combos]
