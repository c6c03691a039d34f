"""open_spiel information-state strings for nodes of a public tree, and tabular policy export.

Kuhn: ``"<card><p|b>..."``, e.g. ``"2pb"``. Leduc: ``"[Observer: 1][Private: 3][Round 2][Player: 0]
[Pot: 10][Money: 95 95][Public: 4][Round1: 2 2 1][Round2: ]"`` (no spaces between fields).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from search.cfr.tree import DECISION, NO_CARD, NO_NODE, PublicTree


def information_state_string(tree: PublicTree, node: int, hand: int) -> str:
    """open_spiel's ``information_state_string`` of the player to act at ``node`` holding ``hand``."""
    rules = tree.rules
    acts = tree.round_actions[node]
    if rules.kuhn_actions:
        return str(hand) + "".join("pb"[a] for a in acts[0])
    c0, c1 = (int(x) for x in tree.contrib[node])
    q = int(tree.player[node])
    board = int(tree.board[node])
    public = f"[Public: {board}]" if board != NO_CARD else ""
    rounds = "".join(f"[Round{r + 1}: {' '.join(str(a) for a in acts[r])}]" for r in range(rules.num_rounds))
    return (f"[Observer: {q}][Private: {hand}][Round {int(tree.round[node]) + 1}][Player: {q}]"
            f"[Pot: {c0 + c1}][Money: {rules.stack - c0} {rules.stack - c1}]{public}{rounds}")


def valid_hand(tree: PublicTree, node: int, hand: int) -> bool:
    """Whether ``hand`` can be held at ``node`` (it is not the board card)."""
    return int(tree.board[node]) != hand


def policy_table(tree: PublicTree, strategy: np.ndarray) -> dict[str, dict[int, float]]:
    """Information-state string -> {action: probability} for every decision node and possible hand.

    Args:
        strategy: float64 [D, H, A] (slot order = ``tree.legal_actions(node)``).
    """
    table: dict[str, dict[int, float]] = {}
    for node in np.flatnonzero(tree.kind == DECISION):
        d = int(tree.decision_index[node])
        actions = tree.legal_actions(int(node))
        for hand in range(tree.num_hands):
            if valid_hand(tree, int(node), hand):
                key = information_state_string(tree, int(node), hand)
                table[key] = {a: float(strategy[d, hand, s]) for s, a in enumerate(actions)}
    return table


def export_policy(tree: PublicTree, strategy: np.ndarray, path: Path) -> int:
    """Write the policy table as JSON (``{"game": name, "policy": {infostate: {action: prob}}}``).

    Returns the number of information states written.
    """
    table = policy_table(tree, strategy)
    doc = {"game": tree.rules.name, "policy": {k: {str(a): p for a, p in v.items()} for k, v in table.items()}}
    Path(path).write_text(json.dumps(doc, indent=1))
    return len(table)


def load_policy(path: Path) -> tuple[str, dict[str, dict[int, float]]]:
    """(game name, table) from a file written by :func:`export_policy`."""
    doc = json.loads(Path(path).read_text())
    return doc["game"], {k: {int(a): float(p) for a, p in v.items()} for k, v in doc["policy"].items()}


def node_from_history(tree: PublicTree, history: list[int]) -> int:
    """Public node after an open_spiel-style history (deal of both cards first); NO_NODE if off-tree."""
    node = 0
    for a in history[2:]:
        node = tree.child_by_action(node, int(a))
        if node == NO_NODE:
            return NO_NODE
    return node
