"""Action translation: where a real no-limit action lands in the blueprint's abstract tree.

Fold and call map to themselves. A raise of pot fraction ``x`` (``(raise_to - bet) / (2 * bet)``, the
fraction the abstraction is built from) between two abstract raises of fractions ``A < x < B`` maps to
``A`` with Ganzfried & Sandholm's (2013) pseudo-harmonic probability

    f_A(x) = (B - x)(1 + A) / ((B - A)(1 + x)),

and to ``B`` otherwise; below the smallest raise it maps to the smallest, above the largest to the
largest, and an all-in to the abstract all-in. With ``u = None`` the choice is deterministic (``A`` when
``f_A(x) >= 1/2``). :func:`walk_history` follows a whole real betting history through the tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from games.poker.base import CALL, FOLD
from games.poker.nolimit_rules import NoLimitRules
from search.cfr.nl_betting import Betting, Outcome, raise_to_fraction
from search.cfr.nl_tree import DECISION, AbstractTree


def pseudo_harmonic(a: float, b: float, x: float) -> float:
    """Probability of mapping a bet of pot fraction ``x`` to ``a`` rather than ``b`` (``a <= x <= b``)."""
    if b <= a:
        return 1.0
    return min(max((b - x) * (1.0 + a) / ((b - a) * (1.0 + x)), 0.0), 1.0)


def abstract_raises(tree: AbstractTree, node: int, stack: int) -> list[tuple[int, float, bool]]:
    """(child slot, pot fraction, is all-in) of each raise at abstract decision ``node``."""
    m = int(tree.spent[node].max())
    out = []
    for s in range(int(tree.num_children[node])):
        r = int(tree.action[tree.children[node, s]])
        if r > CALL:
            out.append((s, raise_to_fraction(r, m), r >= stack))
    return out


def translate(tree: AbstractTree, node: int, betting: Betting, action: int, stack: int,
              u: float | None = None) -> int:
    """Child slot of abstract decision ``node`` for real ``action`` taken in ``betting``; ``u`` in [0, 1)
    draws the pseudo-harmonic choice (None: deterministic)."""
    slots = {int(tree.action[tree.children[node, s]]): s for s in range(int(tree.num_children[node]))}
    if action == FOLD:
        return slots.get(FOLD, slots[CALL])
    if action == CALL:
        return slots[CALL]
    raises = abstract_raises(tree, node, stack)
    if not raises:
        return slots[CALL]
    if action >= stack:
        return next((s for s, _, allin in raises if allin), raises[-1][0])
    x = raise_to_fraction(action, betting.max_spent)
    sized = [(s, f) for s, f, allin in raises if not allin] or [(s, f) for s, f, _ in raises]
    if x <= sized[0][1]:
        return sized[0][0]
    below = [(s, f) for s, f in sized if f <= x]
    above = [(s, f) for s, f, _ in raises if f >= x]
    if not above:
        return raises[-1][0]
    (sa, fa), (sb, fb) = below[-1], above[0]
    p = pseudo_harmonic(fa, fb, x)
    if u is None:
        return sa if p >= 0.5 else sb
    return sa if u < p else sb


Translator = Callable[[int, Betting, int, tuple[int, ...]], int]
"""``translator(abstract node, betting, real action, history key) -> child slot``."""


@dataclass(frozen=True)
class Step:
    """One real action on the abstract path: the abstract node it was taken at and the slot it maps to."""

    node: int
    slot: int
    player: int
    round: int


def walk_history(tree: AbstractTree, rules: NoLimitRules, sequences: list[list[int]],
                 translator: Translator) -> tuple[list[Step], int, Betting | None]:
    """Follow the real betting ``sequences`` (per round) from the root: (steps, the abstract node reached or
    -1 when the abstract hand ended before the real one, the real betting situation at the end or None
    when the real betting ended)."""
    node = 0
    betting: Betting | Outcome = Betting(0, rules.blinds, 2 * rules.big_blind, ())
    steps: list[Step] = []
    key: tuple[int, ...] = ()
    for seq in sequences:
        for action in seq:
            assert isinstance(betting, Betting)
            if node < 0 or tree.kind[node] != DECISION:
                node = -1
            else:
                slot = translator(node, betting, int(action), key)
                steps.append(Step(node, slot, betting.player, betting.round))
                node = int(tree.children[node, slot])
            key = key + (int(action),)
            betting = betting.after(int(action), rules)
    if node >= 0 and tree.kind[node] != DECISION:
        node = -1
    return steps, node, betting if isinstance(betting, Betting) else None
