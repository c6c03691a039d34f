"""Heads-up no-limit Texas hold'em with ACPC rules (open_spiel's ``universal_poker``, ``fullgame`` betting).

Rules (:mod:`games.poker.nolimit_rules` for the parameters; defaults 20,000-chip stacks, blinds 50/100):

* Player 0 posts the big blind, player 1 the small blind; player 1 acts first before the flop,
  player 0 first on the flop, turn and river. Stacks reset every hand.
* Chance deals one card at a time (:mod:`games.poker.cards` numbering, ``0`` = 2c .. ``51`` = As): player
  0's two hole cards, player 1's two, then 3 flop cards, the turn and the river, each undealt card equally
  likely. Once both players are all-in the remaining board cards are dealt without betting.
* Raises are *raise-to* amounts (the chips the raiser has put in during the whole hand, ACPC semantics).
  The smallest raise-to is the current bet plus the larger of the big blind and the last raise increment
  in this round (twice the big blind before the flop); the largest is the stack (all-in). A player who
  cannot afford the smallest raise may still raise all-in. As in ACPC a round holds at most
  :data:`~games.poker.nolimit_rules.MAX_ACTIONS_PER_ROUND` actions, so a raise needs room for itself and
  the reply. Folding is legal only when facing a bet.
* Returns are chips won or lost.

Action numbering (open_spiel's ``fullgame`` numbering): ``0`` fold, ``1`` call/check, and ``a >= 2`` raise
to ``a`` chips, so ``num_actions = stack + 1`` and the legal raises are one contiguous range
``[min raise-to, stack]`` (only ``stack`` when just the all-in is possible). Text (ACPC's): ``f``, ``c``,
``r300``; ``fold``, ``call``, ``check``, ``raise300`` and ``bet300`` are accepted too.

``information_state_string(p)`` equals open_spiel's, e.g.
``[Round 1][Player: 0][Pot: 600][Money: 19700 19700][Private: AsAh][Public: Ks9h3c][Sequences: r300c|]``
(cards from the highest down). ``observation()`` (and ``information_state_tensor(p)``, the same summary) is
float32 [115]: observer one-hot [2], own hole cards [52], board [52], round one-hot [4], then the
observer's and the opponent's contributions, the amount to call and the smallest raise-to (0 when no raise
is legal), each divided by the stack, and the raises made in this round [1].
``str(state)``: see :mod:`games.poker.base` (``"As Ah 2c 3d r300 c Ks 9h 3c c r600 f"``).
"""
from __future__ import annotations

import numpy as np

from games.core import CHANCE, TERMINAL, GameSpec, IllegalActionError
from games.poker.base import CALL, FOLD, PokerGame, PokerState
from games.poker.cards import DECK_SIZE, card_to_string, cards_to_string, string_to_card
from games.poker.hand_eval import evaluate_cards
from games.poker.nolimit_rules import (BOARD_CARDS_BY_ROUND, FIRST_PLAYER, HOLE_CARDS, MAX_ACTIONS_PER_ROUND,
                                       NUM_ROUNDS, NoLimitRules, parse_rules)

TENSOR_SIZE = 2 + 2 * DECK_SIZE + NUM_ROUNDS + 5
"""Length of the observation vector."""


def action_text(action: int) -> str:
    """ACPC text of a player action: ``f``, ``c`` or ``r<amount>``."""
    return "f" if action == FOLD else "c" if action == CALL else f"r{action}"


def parse_action_word(word: str) -> int | None:
    """Action named by a lower-case word (``f``/``fold``, ``c``/``call``/``check``, ``r300``/``raise300``/
    ``bet300``), or None. The amount is not checked here."""
    if word in ("f", "fold"):
        return FOLD
    if word in ("c", "call", "check"):
        return CALL
    for prefix in ("raise", "bet", "r"):
        if word.startswith(prefix):
            amount = word[len(prefix):]
            return int(amount) if amount.isdigit() and int(amount) >= 2 else None
    return None


class HoldemNoLimitState(PokerState):
    """A heads-up no-limit hold'em state (ACPC betting bookkeeping)."""

    def __init__(self, game: "HoldemNoLimitGame") -> None:
        super().__init__(game)
        self.rules: NoLimitRules = game.rules
        self.hole: list[list[int]] = [[], []]
        """Hole card ids per player, in dealing order."""
        self.board: list[int] = []
        """Board card ids in dealing order."""
        self.round = 0
        """Betting round: 0 preflop .. 3 river (3 once both are all-in, as in ACPC)."""
        self.sequences: list[list[int]] = [[] for _ in range(NUM_ROUNDS)]
        """Player actions per round (0 fold, 1 call, else raise-to amount)."""
        self.spent = list(self.rules.blinds)
        """Chips each player has put in the pot."""
        self.max_spent = self.rules.big_blind
        """The largest contribution (the bet to call)."""
        self.min_raise_to = 2 * self.rules.big_blind
        """ACPC's ``minNoLimitRaiseTo``: the smallest legal raise-to (before the stack cap)."""
        self.folded = -1
        """The player who folded, or -1."""
        self.finished = False
        """ACPC's ``finished``: no more betting (a fold, or the river closed, or both all-in)."""
        self._dealt = 0
        """Cards dealt so far (hole and board)."""

    # ----- accessors for search ------------------------------------------------------------
    def private_cards(self, player: int) -> tuple[int, ...]:
        """Hole card ids of ``player`` dealt so far."""
        return tuple(self.hole[player])

    def public_cards(self) -> tuple[int, ...]:
        """Board card ids dealt so far."""
        return tuple(self.board)

    def pot(self) -> int:
        """open_spiel's pot: the largest contribution times the players who have not folded."""
        return self.max_spent * (2 - (self.folded >= 0))

    def raise_range(self) -> tuple[int, int] | None:
        """(smallest, largest) legal raise-to of the player to act, or None if no raise is legal."""
        if self.current_player < 0:
            return None
        seq = self.sequences[self.round]
        stack = self.rules.stack
        if len(seq) + 2 > MAX_ACTIONS_PER_ROUND or self.max_spent >= stack:
            return None
        return (min(self.min_raise_to, stack), stack)

    # ----- dynamics ----------------------------------------------------------------------
    def _needs_card(self) -> bool:
        return self.folded < 0 and self._dealt < 2 * HOLE_CARDS + BOARD_CARDS_BY_ROUND[self.round]

    @property
    def current_player(self) -> int:
        if self._needs_card():
            return CHANCE
        if self.finished:
            return TERMINAL
        seq = self.sequences[self.round]
        return FIRST_PLAYER[self.round] ^ (len(seq) % 2)

    def is_terminal(self) -> bool:
        return self.finished and not self._needs_card()

    def legal_actions(self) -> np.ndarray:
        player = self.current_player
        if player == TERMINAL:
            return np.zeros(0, dtype=np.int64)
        if player == CHANCE:
            used = np.zeros(DECK_SIZE, dtype=bool)
            used[self.hole[0] + self.hole[1] + self.board] = True
            return np.flatnonzero(~used).astype(np.int64)
        head = [FOLD, CALL] if self.spent[player] < self.max_spent else [CALL]
        span = self.raise_range()
        if span is None:
            return np.asarray(head, dtype=np.int64)
        return np.concatenate([np.asarray(head, dtype=np.int64), np.arange(span[0], span[1] + 1, dtype=np.int64)])

    def _legal_list(self) -> list[int]:
        return [int(a) for a in self.legal_actions()]

    def is_legal(self, action: int) -> bool:
        player = self.current_player
        if player == TERMINAL:
            return False
        if player == CHANCE:
            return 0 <= action < DECK_SIZE and action not in self.hole[0] + self.hole[1] + self.board
        if action == FOLD:
            return self.spent[player] < self.max_spent
        if action == CALL:
            return True
        span = self.raise_range()
        return span is not None and span[0] <= action <= span[1]

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Undealt cards, each equally likely."""
        if self.current_player != CHANCE:
            return super().chance_outcomes()
        actions = self.legal_actions()
        return actions, np.full(len(actions), 1.0 / len(actions))

    def _deals_private_card(self) -> bool:
        return self._dealt < 2 * HOLE_CARDS

    def _do_apply(self, action: int) -> None:
        if self._needs_card():
            self._dealt += 1
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
        stack = self.rules.stack
        if action == FOLD:
            self.folded = player
            self.finished = True
            return
        if action == CALL:
            self.spent[player] = min(self.max_spent, stack)
            if len(seq) >= 2:  # a call that is not the round's first action closes the round
                self._close_round()
            return
        self.min_raise_to = max(self.min_raise_to, 2 * action - self.max_spent)
        self.max_spent = action
        self.spent[player] = action

    def _close_round(self) -> None:
        if self.max_spent >= self.rules.stack:  # both all-in: deal the rest, then the showdown
            self.finished = True
            self.round = NUM_ROUNDS - 1
        elif self.round + 1 < NUM_ROUNDS:
            self.round += 1
            self.min_raise_to = self.max_spent + self.rules.big_blind
        else:
            self.finished = True

    def returns(self) -> np.ndarray:
        out = np.zeros(2, dtype=np.float64)
        if not self.is_terminal():
            return out
        if self.folded >= 0:
            loser = self.folded
        else:
            values = [evaluate_cards(np.asarray(self.hole[p] + self.board, dtype=np.int64)) for p in range(2)]
            if values[0] == values[1]:
                return out
            loser = 0 if values[0] < values[1] else 1
        out[loser] = -self.spent[loser]
        out[1 - loser] = self.spent[loser]
        return out

    # ----- information states ------------------------------------------------------------------
    def betting_string(self) -> str:
        """ACPC betting of the rounds up to the current one, rounds separated by ``|`` (open_spiel's form)."""
        return "|".join("".join(action_text(a) for a in seq) for seq in self.sequences[: self.round + 1])

    def information_state_string(self, player: int) -> str:
        """open_spiel's information-state string (format in the module docstring)."""
        money = " ".join(str(self.rules.stack - s) for s in self.spent)
        private = cards_to_string(sorted(self.hole[player], reverse=True))
        public = cards_to_string(sorted(self.board, reverse=True))
        return (f"[Round {self.round}][Player: {self.current_player}][Pot: {self.pot()}][Money: {money}]"
                f"[Private: {private}][Public: {public}][Sequences: {self.betting_string()}]")

    def information_state_tensor(self, player: int) -> np.ndarray:
        """float32 [115] (layout in the module docstring)."""
        out = np.zeros(TENSOR_SIZE, dtype=np.float32)
        out[player] = 1.0
        out[[2 + c for c in self.hole[player]]] = 1.0
        out[[2 + DECK_SIZE + c for c in self.board]] = 1.0
        base = 2 + 2 * DECK_SIZE
        out[base + self.round] = 1.0
        base += NUM_ROUNDS
        stack = float(self.rules.stack)
        out[base] = self.spent[player] / stack
        out[base + 1] = self.spent[1 - player] / stack
        out[base + 2] = (self.max_spent - self.spent[player]) / stack
        span = self.raise_range() if self.current_player == player else None
        out[base + 3] = 0.0 if span is None else span[0] / stack
        out[base + 4] = sum(1 for a in self.sequences[self.round] if a > CALL)
        return out

    # ----- text --------------------------------------------------------------------------------
    def _card_name(self, card: int) -> str:
        return card_to_string(card)

    def _card_from_name(self, name: str) -> int:
        return string_to_card(name)

    def _action_name(self, action: int) -> str:
        return action_text(action)

    def _word_to_action(self, word: str) -> int | None:
        return parse_action_word(word)

    def string_to_action(self, text: str) -> int:
        """As :meth:`PokerState.string_to_action`; an illegal raise size is refused with the legal range."""
        try:
            return super().string_to_action(text)
        except IllegalActionError:
            action = parse_action_word(text.strip().lower()) if self.current_player >= 0 else None
            if action is None or action <= CALL:
                raise
            span = self.raise_range()
            legal = "no raise is legal" if span is None else f"raises go to {span[0]}..{span[1]}"
            raise IllegalActionError(f"{self._game.spec.name}: '{text.strip()}' is not legal here ({legal})") from None

    def copy(self) -> "HoldemNoLimitState":
        other = HoldemNoLimitState(self._game)  # type: ignore[arg-type]
        self._copy_base_into(other)
        other.hole = [list(h) for h in self.hole]
        other.board = list(self.board)
        other.round = self.round
        other.sequences = [list(s) for s in self.sequences]
        other.spent = list(self.spent)
        other.max_spent = self.max_spent
        other.min_raise_to = self.min_raise_to
        other.folded = self.folded
        other.finished = self.finished
        other._dealt = self._dealt
        return other


def nolimit_spec(rules: NoLimitRules) -> GameSpec:
    """The spec of the game with ``rules`` (actions ``0..stack``, utilities +-stack)."""
    return GameSpec(
        name=rules.name(),
        num_players=2,
        num_actions=rules.stack + 1,
        observation_shape=(TENSOR_SIZE,),
        max_game_length=rules.max_player_actions(),
        min_utility=-float(rules.stack),
        max_utility=float(rules.stack),
        zero_sum=True,
        perfect_information=False,
        has_chance=True,
    )


class HoldemNoLimitGame(PokerGame):
    """Heads-up no-limit Texas hold'em (ACPC rules); ``HoldemNoLimitGame(NoLimitRules(stack=2000))``."""

    state_class = HoldemNoLimitState

    def __init__(self, rules: NoLimitRules | None = None) -> None:
        self.rules = rules if rules is not None else NoLimitRules()
        """Stack depth and blinds."""
        self.spec = nolimit_spec(self.rules)

    @classmethod
    def from_name(cls, name: str) -> "HoldemNoLimitGame":
        """The game named ``holdem_nolimit`` or ``holdem_nolimit(stack=S,blinds=SB/BB)``."""
        return cls(parse_rules(name))
