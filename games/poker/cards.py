"""Card numbering and names shared by the poker games.

Hold'em uses ACPC's (and open_spiel's ``universal_poker``) numbering of a 52-card deck:
``card = rank * 4 + suit`` with ranks ``2 3 4 5 6 7 8 9 T J Q K A`` (0..12) and suits ``c d h s`` (0..3),
so ``0`` is ``2c`` and ``51`` is ``As``. Kuhn poker has three cards ``J Q K`` (ids 0, 1, 2) and Leduc six,
``J1 J2 Q1 Q2 K1 K2`` (ids 0..5, rank ``id // 2``), as in open_spiel.
"""
from __future__ import annotations

from games.core import StateParseError

RANK_CHARS = "23456789TJQKA"
"""Rank characters of the 52-card deck, lowest first (rank index 0..12)."""
SUIT_CHARS = "cdhs"
"""Suit characters of the 52-card deck (suit index 0..3)."""
NUM_RANKS = 13
NUM_SUITS = 4
DECK_SIZE = NUM_RANKS * NUM_SUITS
"""52 cards."""

KUHN_CARD_NAMES = ("J", "Q", "K")
"""Kuhn cards by id."""
LEDUC_CARD_NAMES = ("J1", "J2", "Q1", "Q2", "K1", "K2")
"""Leduc cards by id (two suits of J, Q, K; open_spiel's order)."""


def card_rank(card: int) -> int:
    """Rank index 0 (deuce) .. 12 (ace) of a 52-card deck card."""
    return card // NUM_SUITS


def card_suit(card: int) -> int:
    """Suit index 0 (clubs) .. 3 (spades) of a 52-card deck card."""
    return card % NUM_SUITS


def card_to_string(card: int) -> str:
    """Two-character name of a 52-card deck card, e.g. ``As``."""
    if not 0 <= card < DECK_SIZE:
        raise ValueError(f"card id {card} outside 0..{DECK_SIZE - 1}")
    return RANK_CHARS[card // NUM_SUITS] + SUIT_CHARS[card % NUM_SUITS]


def string_to_card(text: str) -> int:
    """Card id of a two-character name (``As``, ``tc``; case-insensitive rank); raises StateParseError."""
    text = text.strip()
    if len(text) != 2 or text[0].upper() not in RANK_CHARS or text[1].lower() not in SUIT_CHARS:
        raise StateParseError(f"'{text}' is not a card (rank of {RANK_CHARS} then suit of {SUIT_CHARS})")
    return RANK_CHARS.index(text[0].upper()) * NUM_SUITS + SUIT_CHARS.index(text[1].lower())


def cards_to_string(cards: list[int] | tuple[int, ...]) -> str:
    """Concatenated card names, e.g. ``AsKd``; empty string for no card."""
    return "".join(card_to_string(c) for c in cards)


def parse_cards(text: str) -> list[int]:
    """Inverse of :func:`cards_to_string` (``"AsKd"`` -> ``[51, 46]``); raises StateParseError."""
    text = text.strip()
    if len(text) % 2:
        raise StateParseError(f"'{text}' is not a list of two-character cards")
    return [string_to_card(text[i:i + 2]) for i in range(0, len(text), 2)]
