"""Public betting trees of limit poker (Kuhn, Leduc) as flat arrays, vectorised over private hands.

A node of the *public* tree is what every player sees: the betting so far and the board card. A
private hand is one card id (open_spiel's numbering), so every per-hand quantity is a vector of
``num_hands = deck_size`` entries. Chance (the deal and the board) is folded into the terminal
payoff matrices: ``payoff[t, h0, h1]`` is player 0's return at terminal ``t`` times the probability
that chance deals hands ``(h0, h1)`` (and the node's board card); pairs that share a card weigh 0.

Nodes are numbered in creation (pre-)order, root = 0, so every parent precedes its children and a
reverse loop is a bottom-up pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DECISION = 0
"""``kind`` of a node where a player bets."""
CHANCE = 1
"""``kind`` of the node where the board card is dealt."""
TERMINAL = 2
"""``kind`` of a node where the hand is over (fold or showdown), or a leaf of a depth-limited subgame."""
NO_NODE = -1
"""Sentinel: no parent / no child / not a decision or terminal node."""
NO_CARD = -1
"""``board`` before the board card is dealt."""

FOLD, CALL, RAISE = 0, 1, 2
"""Betting moves, numbered as Leduc's actions; Kuhn's are 0 pass (check or fold) and 1 bet (bet or call)."""


@dataclass(frozen=True)
class LimitPokerRules:
    """Rules of a small two-player limit poker with one private card and at most one board card."""

    name: str
    """open_spiel name: ``kuhn_poker`` or ``leduc_poker``."""
    deck_size: int
    """Number of cards; a hand is one card id in ``range(deck_size)``."""
    ranks: tuple[int, ...]
    """Rank of each card id (higher wins; a pair with the board beats any rank)."""
    bet_sizes: tuple[int, ...]
    """Fixed raise size of each betting round; the number of rounds is its length (2 = a board card)."""
    max_raises: int
    """Raises allowed per round."""
    ante: int
    """Chips each player puts in before the deal."""
    kuhn_actions: bool
    """Kuhn's two actions (0 pass = check/fold, 1 bet = bet/call) instead of Leduc's fold/call/raise."""
    stack: int = 100
    """Starting chips (only for open_spiel's ``[Money: ...]`` field)."""

    @property
    def num_rounds(self) -> int:
        return len(self.bet_sizes)

    @property
    def num_actions(self) -> int:
        return 2 if self.kuhn_actions else 3


KUHN = LimitPokerRules("kuhn_poker", 3, (0, 1, 2), (1,), 1, 1, True)
"""Kuhn poker as in open_spiel: J Q K, ante 1, one bet of 1."""
LEDUC = LimitPokerRules("leduc_poker", 6, (0, 0, 1, 1, 2, 2), (2, 4), 2, 1, False)
"""Leduc poker as in open_spiel: J J Q Q K K (rank = card // 2), raises 2 then 4, two per round."""
RULES = {r.name: r for r in (KUHN, LEDUC)}


@dataclass
class PublicTree:
    """The public tree of a game (or of a subgame) as flat arrays; ``N`` nodes, ``H`` hands."""

    rules: LimitPokerRules
    kind: np.ndarray
    """int8 [N]: DECISION, CHANCE or TERMINAL."""
    player: np.ndarray
    """int8 [N]: player to act at decision nodes, -1 elsewhere."""
    parent: np.ndarray
    """int32 [N]: parent node, NO_NODE at the root."""
    action: np.ndarray
    """int32 [N]: game action (or board card) that leads from the parent, -1 at the root."""
    children: np.ndarray
    """int32 [N, K]: child nodes in slot order (legal-action order / card order), NO_NODE padded."""
    num_children: np.ndarray
    """int32 [N]: used slots of ``children``."""
    round: np.ndarray
    """int8 [N]: betting round (0-based)."""
    board: np.ndarray
    """int8 [N]: board card id or NO_CARD."""
    contrib: np.ndarray
    """int32 [N, 2]: chips each player has put in."""
    num_raises: np.ndarray
    """int8 [N]: raises so far in the node's round."""
    decision_index: np.ndarray
    """int32 [N]: index of a decision node among decision nodes (rows of strategy tables), else -1."""
    terminal_index: np.ndarray
    """int32 [N]: index of a terminal node into ``payoff``, else -1."""
    payoff: np.ndarray
    """float64 [T, H, H]: player 0's return times the chance probability of the hands (and board)."""
    round_actions: list[list[list[int]]] = field(default_factory=list)
    """Per node, the game actions of each round so far (for information-state strings)."""

    @property
    def num_nodes(self) -> int:
        return int(self.kind.shape[0])

    @property
    def num_hands(self) -> int:
        return self.rules.deck_size

    @property
    def num_decisions(self) -> int:
        return int((self.decision_index >= 0).sum())

    def child_by_action(self, node: int, action: int) -> int:
        """The child reached by ``action`` (or board card) from ``node``; NO_NODE if there is none."""
        for slot in range(int(self.num_children[node])):
            child = int(self.children[node, slot])
            if int(self.action[child]) == action:
                return child
        return NO_NODE

    def legal_actions(self, node: int) -> list[int]:
        """Game actions available at a decision node, in slot order."""
        return [int(self.action[self.children[node, s]]) for s in range(int(self.num_children[node]))]


def _hand_strength(rules: LimitPokerRules, card: int, board: int) -> int:
    rank = rules.ranks[card]
    if board != NO_CARD and rules.ranks[board] == rank:
        return 100 + rank
    return rank


def terminal_payoff(rules: LimitPokerRules, contrib: tuple[int, int], folder: int, board: int) -> np.ndarray:
    """float64 [H, H]: player 0's return times the deal probability, for every pair of hands."""
    d = rules.deck_size
    dealt = d * (d - 1) * (d - 2 if board != NO_CARD else 1)
    out = np.zeros((d, d))
    for h0 in range(d):
        for h1 in range(d):
            if h0 == h1 or h0 == board or h1 == board:
                continue
            if folder == 0:
                u = -contrib[0]
            elif folder == 1:
                u = contrib[1]
            else:
                s0, s1 = _hand_strength(rules, h0, board), _hand_strength(rules, h1, board)
                u = contrib[0] if s0 > s1 else (-contrib[0] if s0 < s1 else 0)
            out[h0, h1] = u / dealt
    return out


class _Builder:
    def __init__(self, rules: LimitPokerRules) -> None:
        self.rules = rules
        self.rows: list[dict] = []
        self.payoffs: list[np.ndarray] = []

    def add(self, parent: int, action: int, kind: int, player: int, rnd: int, board: int,
            contrib: tuple[int, int], raises: int, acts: list[list[int]]) -> int:
        idx = len(self.rows)
        self.rows.append(dict(parent=parent, action=action, kind=kind, player=player, round=rnd, board=board,
                              contrib=contrib, raises=raises, acts=acts, children=[]))
        if parent != NO_NODE:
            self.rows[parent]["children"].append(idx)
        return idx

    def betting(self, parent: int, action: int, rnd: int, board: int, contrib: tuple[int, int],
                raises: int, to_act: int, acted: int, acts: list[list[int]]) -> None:
        """A decision node of round ``rnd`` where ``to_act`` moves; ``acted`` players moved this round."""
        r = self.rules
        node = self.add(parent, action, DECISION, to_act, rnd, board, contrib, raises, acts)
        facing = contrib[1 - to_act] > contrib[to_act]
        moves = ([FOLD] if facing else []) + [CALL] + ([RAISE] if raises < r.max_raises else [])
        for move in moves:
            game_action = (1 if move == RAISE or (move == CALL and facing) else 0) if r.kuhn_actions else move
            new_acts = [list(a) for a in acts]
            new_acts[rnd].append(game_action)
            c = list(contrib)
            if move == FOLD:
                self.terminal(node, game_action, rnd, board, contrib, raises, new_acts, folder=to_act)
                continue
            c[to_act] = contrib[1 - to_act] + (r.bet_sizes[rnd] if move == RAISE else 0)
            c2 = (c[0], c[1])
            if move == RAISE:
                self.betting(node, game_action, rnd, board, c2, raises + 1, 1 - to_act, acted + 1, new_acts)
            elif acted + 1 < 2:  # first check of the round
                self.betting(node, game_action, rnd, board, c2, raises, 1 - to_act, acted + 1, new_acts)
            elif rnd + 1 < r.num_rounds:
                self.deal_board(node, game_action, rnd, c2, new_acts)
            else:
                self.terminal(node, game_action, rnd, board, c2, raises, new_acts, folder=-1)

    def deal_board(self, parent: int, action: int, rnd: int, contrib: tuple[int, int],
                   acts: list[list[int]]) -> None:
        node = self.add(parent, action, CHANCE, -1, rnd, NO_CARD, contrib, 0, acts)
        for card in range(self.rules.deck_size):
            self.betting(node, card, rnd + 1, card, contrib, 0, 0, 0, acts)

    def terminal(self, parent: int, action: int, rnd: int, board: int, contrib: tuple[int, int],
                 raises: int, acts: list[list[int]], folder: int) -> None:
        self.add(parent, action, TERMINAL, -1, rnd, board, contrib, raises, acts)
        self.payoffs.append(terminal_payoff(self.rules, contrib, folder, board))


def build_tree(rules: LimitPokerRules) -> PublicTree:
    """The full public tree of ``rules`` (root = first decision after the deal)."""
    b = _Builder(rules)
    b.betting(NO_NODE, -1, 0, NO_CARD, (rules.ante, rules.ante), 0, 0, 0, [[] for _ in rules.bet_sizes])
    return _finish(rules, b.rows, b.payoffs)


def _finish(rules: LimitPokerRules, rows: list[dict], payoffs: list[np.ndarray]) -> PublicTree:
    """Arrays from builder rows (pre-order); the i-th terminal pays ``payoffs[i]``."""
    n = len(rows)
    k = max(max((len(r["children"]) for r in rows), default=1), 1)
    children = np.full((n, k), NO_NODE, dtype=np.int32)
    for i, r in enumerate(rows):
        children[i, : len(r["children"])] = r["children"]
    kind = np.array([r["kind"] for r in rows], dtype=np.int8)
    dec = np.full(n, -1, dtype=np.int32)
    dec[kind == DECISION] = np.arange(int((kind == DECISION).sum()))
    term = np.full(n, -1, dtype=np.int32)
    term[kind == TERMINAL] = np.arange(int((kind == TERMINAL).sum()))
    return PublicTree(
        rules=rules, kind=kind,
        player=np.array([r["player"] for r in rows], dtype=np.int8),
        parent=np.array([r["parent"] for r in rows], dtype=np.int32),
        action=np.array([r["action"] for r in rows], dtype=np.int32),
        children=children,
        num_children=np.array([len(r["children"]) for r in rows], dtype=np.int32),
        round=np.array([r["round"] for r in rows], dtype=np.int8),
        board=np.array([r["board"] for r in rows], dtype=np.int8),
        contrib=np.array([r["contrib"] for r in rows], dtype=np.int32).reshape(n, 2),
        num_raises=np.array([r["raises"] for r in rows], dtype=np.int8),
        decision_index=dec, terminal_index=term,
        payoff=np.array(payoffs, dtype=np.float64).reshape(len(payoffs), rules.deck_size, rules.deck_size),
        round_actions=[r["acts"] for r in rows],
    )


_TREES: dict[str, PublicTree] = {}


def game_tree(name: str) -> PublicTree:
    """The (cached) public tree of ``kuhn_poker`` or ``leduc_poker``; KeyError for other names."""
    if name not in _TREES:
        _TREES[name] = build_tree(RULES[name])
    return _TREES[name]
