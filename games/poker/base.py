"""What the three poker games share: action words, the text form of a state and its parser.

Text form: ``str(state)`` is the whole history as whitespace-separated tokens, a card name for each
chance outcome and a word for each player action, e.g. ``"Q K pass bet call"`` (Kuhn),
``"J1 K2 raise call Q1 call call"`` (Leduc), ``"As Ah 2c 3c call call 7h 8h 9h ..."`` (hold'em);
the initial state is ``""``. :func:`parse_history` replays such text and raises
:class:`~games.core.StateParseError` on an unknown or illegal token or on tokens after the end.

The public key of a state is the same token list with every private card replaced by ``?``
(``"? ? raise call Q1"``): states that differ only in private cards share it.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING

import numpy as np

from games.core import CHANCE, Game, IllegalActionError, State, StateParseError

if TYPE_CHECKING:
    from games.core import Game

FOLD = 0
CALL = 1
RAISE = 2
BETTING_WORDS = {"fold": FOLD, "call": CALL, "check": CALL, "raise": RAISE, "bet": RAISE}
"""Words accepted for the actions of Leduc and hold'em (0 fold, 1 call/check, 2 raise/bet)."""
BETTING_NAMES = ("fold", "call", "raise")
"""Canonical word for each Leduc/hold'em action."""
HIDDEN = "?"
"""Token that stands for a private card in a public key."""


class PokerState(State):
    """A poker state that remembers one text token per applied action (card name or action word)."""

    def observation(self) -> np.ndarray:
        """The information-state tensor of the player to move (player 0's at chance and terminal nodes)."""
        player = self.current_player
        return self.information_state_tensor(player if player >= 0 else 0)

    def __init__(self, game: "Game") -> None:
        super().__init__(game)
        self._tokens: list[str] = []
        """One token per action of ``history`` (card name or canonical action word)."""
        self._private_steps: list[bool] = []
        """Per action of ``history``: True when it dealt a private card."""

    # ----- hooks of each game -----------------------------------------------------------------
    @abc.abstractmethod
    def _card_name(self, card: int) -> str:
        """Name of chance outcome ``card`` (``"J"``, ``"K2"``, ``"As"``)."""

    @abc.abstractmethod
    def _card_from_name(self, name: str) -> int:
        """Inverse of :meth:`_card_name`; raises StateParseError."""

    @abc.abstractmethod
    def _action_name(self, action: int) -> str:
        """Canonical word for player action ``action`` here."""

    @abc.abstractmethod
    def _word_to_action(self, word: str) -> int | None:
        """Player action named by lower-case ``word`` (aliases included), None if no such word."""

    @abc.abstractmethod
    def _deals_private_card(self) -> bool:
        """At a chance node: whether the next outcome is a player's private card."""

    @abc.abstractmethod
    def _do_apply(self, action: int) -> None:
        """The game's own transition."""

    # ----- shared behaviour -------------------------------------------------------------------
    def _apply(self, action: int) -> None:
        chance = self.current_player == CHANCE
        self._tokens.append(self._card_name(action) if chance else self._action_name(action))
        self._private_steps.append(chance and self._deals_private_card())
        self._do_apply(action)

    def _copy_base_into(self, other: "PokerState") -> None:
        other.history = list(self.history)
        other._tokens = list(self._tokens)
        other._private_steps = list(self._private_steps)

    def action_to_string(self, action: int) -> str:
        """``"deal <card>"`` at a chance node, else the action word (``"fold"``, ``"call"``, ``"bet"``...)."""
        if self.current_player == CHANCE:
            return f"deal {self._card_name(int(action))}"
        return self._action_name(int(action))

    def string_to_action(self, text: str) -> int:
        """Action named by ``text``: a card (``"K"``, ``"deal K"``) at chance nodes, else an action word
        (fold/call/check/raise/bet, or pass for Kuhn). Raises IllegalActionError if not legal here."""
        word = text.strip()
        name = self._game.spec.name
        if self.is_terminal():
            raise IllegalActionError(f"{name}: the game is over; '{word}' cannot be played")
        if self.current_player == CHANCE:
            card_text = word[5:].strip() if word.lower().startswith("deal ") else word
            try:
                action = self._card_from_name(card_text)
            except StateParseError as err:
                raise IllegalActionError(f"{name}: '{word}' is not a card to deal ({err})") from None
        else:
            found = self._word_to_action(word.lower())
            if found is None:
                raise IllegalActionError(f"{name}: '{word}' is not a poker action (fold/call/check/raise/bet)")
            action = found
        if not self.is_legal(action):
            raise IllegalActionError(f"{name}: '{word}' is not legal here")
        return action

    def __str__(self) -> str:
        return " ".join(self._tokens)

    def public_key(self) -> str:
        """The history tokens with private cards replaced by ``?``: names the public state."""
        return " ".join(HIDDEN if private else token for token, private in zip(self._tokens, self._private_steps))

    def legal_actions(self) -> np.ndarray:
        return np.asarray(self._legal_list(), dtype=np.int64)

    @abc.abstractmethod
    def _legal_list(self) -> list[int]:
        """Sorted legal actions (chance outcomes at a chance node, empty when terminal)."""

    def is_legal(self, action: int) -> bool:
        return action in self._legal_list()


def parse_history(game: "Game", text: str) -> PokerState:
    """Replay the tokens of ``text`` from the initial state; raises StateParseError on bad text."""
    state = game.new_state()
    assert isinstance(state, PokerState)
    for position, token in enumerate(text.split()):
        if state.is_terminal():
            raise StateParseError(f"{game.spec.name}: token {position + 1} '{token}' comes after the end of the hand")
        try:
            action = state.string_to_action(token)
        except IllegalActionError as err:
            raise StateParseError(f"{game.spec.name}: token {position + 1}: {err}") from None
        state.apply_unchecked(action)
    return state


class PokerGame(Game):
    """A poker game whose states are ``state_class(game)`` at the start and parse from their history text."""

    state_class: type[PokerState]

    def new_state(self, rng: np.random.Generator | None = None) -> PokerState:
        return self.state_class(self)

    def state_from_string(self, text: str) -> PokerState:
        return parse_history(self, text)
