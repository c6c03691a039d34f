"""Parameters of heads-up no-limit hold'em (ACPC rules): stack depth and blinds, their text form and gamedef.

A game is named ``holdem_nolimit`` with the defaults (20,000-chip stacks, blinds 50/100, stacks reset
every hand) and ``holdem_nolimit(stack=S,blinds=SB/BB)`` otherwise, e.g. ``holdem_nolimit(stack=2000)``
or ``holdem_nolimit(stack=400,blinds=1/2)``; :func:`parse_rules` reads that text (either key may be left
out) and :meth:`NoLimitRules.name` writes it back in canonical form.

Seats follow ACPC's ``holdem.nolimit.2p.reverse_blinds`` gamedef (and open_spiel's ``universal_poker``):
player 0 posts the big blind and acts first after the flop, player 1 posts the small blind and acts
first before the flop.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from games.core import GameError

BASE_NAME = "holdem_nolimit"
"""Registry name of the game with the default rules."""
MAX_ACTIONS_PER_ROUND = 64
"""ACPC's ``MAX_NUM_ACTIONS``: a raise is legal only while the round has room for it and the reply."""
NUM_ROUNDS = 4
FIRST_PLAYER = (1, 0, 0, 0)
"""Player who acts first in each round (``firstPlayer = 2 1 1 1``)."""
BOARD_CARDS_BY_ROUND = (0, 3, 4, 5)
"""Board cards showing during each round."""
HOLE_CARDS = 2


class GameParameterError(GameError):
    """A malformed or impossible game parameter (``holdem_nolimit(stack=...)``)."""


@dataclass(frozen=True)
class NoLimitRules:
    """Stack depth and blinds of a heads-up no-limit hold'em game (stacks reset every hand)."""

    stack: int = 20000
    """Chips each player starts every hand with."""
    small_blind: int = 50
    """Blind posted by player 1 (who acts first before the flop)."""
    big_blind: int = 100
    """Blind posted by player 0; also the smallest bet after the flop."""

    def __post_init__(self) -> None:
        if not 0 < self.small_blind <= self.big_blind:
            raise GameParameterError(f"{BASE_NAME}: need 0 < small blind <= big blind, got "
                                     f"{self.small_blind}/{self.big_blind}")
        if self.stack < 2 * self.big_blind:
            raise GameParameterError(f"{BASE_NAME}: the stack ({self.stack}) must hold at least two big blinds "
                                     f"({2 * self.big_blind})")
        if self.stack > 10_000_000:
            raise GameParameterError(f"{BASE_NAME}: stack {self.stack} is larger than 10,000,000 chips")

    @property
    def blinds(self) -> tuple[int, int]:
        """Blind of player 0 (big) and player 1 (small), ACPC's ``blind = BB SB``."""
        return (self.big_blind, self.small_blind)

    def name(self) -> str:
        """Canonical game name: ``holdem_nolimit`` for the defaults, else with the parameters that differ."""
        parts = []
        if self.stack != NoLimitRules.stack:
            parts.append(f"stack={self.stack}")
        if (self.small_blind, self.big_blind) != (NoLimitRules.small_blind, NoLimitRules.big_blind):
            parts.append(f"blinds={self.small_blind}/{self.big_blind}")
        return BASE_NAME + (f"({','.join(parts)})" if parts else "")

    def acpc_gamedef(self) -> str:
        """The ACPC game definition of this game (``reverse_blinds`` layout)."""
        return "\n".join([
            "GAMEDEF", "nolimit", "numPlayers = 2", f"numRounds = {NUM_ROUNDS}",
            f"stack = {self.stack} {self.stack}", f"blind = {self.big_blind} {self.small_blind}",
            "firstPlayer = 2 1 1 1", "numSuits = 4", "numRanks = 13", f"numHoleCards = {HOLE_CARDS}",
            "numBoardCards = 0 3 1 1", "END GAMEDEF", ""])

    def openspiel_game_string(self) -> str:
        """The same game as open_spiel's ``universal_poker`` with every raise size (``fullgame``)."""
        return ("universal_poker(betting=nolimit,bettingAbstraction=fullgame,numPlayers=2,numRounds=4,"
                f"blind={self.big_blind} {self.small_blind},firstPlayer=2 1 1 1,numSuits=4,numRanks=13,"
                f"numHoleCards=2,numBoardCards=0 3 1 1,stack={self.stack} {self.stack})")

    def max_player_actions(self) -> int:
        """An upper bound on the player actions of a hand.

        Every bet or raise but an all-in lifts the largest contribution by a big blind or more, from one
        big blind to at most the stack, and a round holds at most two checks or calls and at most
        :data:`MAX_ACTIONS_PER_ROUND` actions.
        """
        raises = -(-(self.stack - self.big_blind) // self.big_blind)
        return min(raises + 2 * NUM_ROUNDS, MAX_ACTIONS_PER_ROUND * NUM_ROUNDS)


_PARAMS = re.compile(r"^\s*" + BASE_NAME + r"\s*(?:\((?P<body>[^()]*)\))?\s*$")
_BLINDS = re.compile(r"^(\d+)/(\d+)$")


def parse_rules(text: str) -> NoLimitRules:
    """Rules named by ``holdem_nolimit`` or ``holdem_nolimit(stack=S,blinds=SB/BB)``; raises
    :class:`GameParameterError` naming the problem."""
    match = _PARAMS.match(text)
    if match is None:
        raise GameParameterError(f"'{text}' is not {BASE_NAME} or {BASE_NAME}(stack=S,blinds=SB/BB)")
    values: dict[str, int] = {}
    body = (match.group("body") or "").strip()
    for item in filter(None, (part.strip() for part in body.split(","))):
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep:
            raise GameParameterError(f"{BASE_NAME}: parameter '{item}' is not key=value")
        if key in values or (key == "blinds" and "small_blind" in values):
            raise GameParameterError(f"{BASE_NAME}: parameter '{key}' given twice")
        if key == "stack":
            if not value.isdigit():
                raise GameParameterError(f"{BASE_NAME}: stack '{value}' is not a whole number of chips")
            values["stack"] = int(value)
        elif key == "blinds":
            blinds = _BLINDS.match(value)
            if blinds is None:
                raise GameParameterError(f"{BASE_NAME}: blinds '{value}' are not SB/BB (e.g. 50/100)")
            values["small_blind"], values["big_blind"] = int(blinds.group(1)), int(blinds.group(2))
        else:
            raise GameParameterError(f"{BASE_NAME}: unknown parameter '{key}' (known: stack, blinds)")
    return NoLimitRules(**values)
