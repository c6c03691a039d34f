"""Poker games: Kuhn and Leduc poker (information states equal to open_spiel's), heads-up limit hold'em
with the ACPC structure, heads-up no-limit hold'em with ACPC rules (:mod:`~games.poker.holdem_nolimit`,
parameters in :mod:`~games.poker.nolimit_rules`), and a compiled 7-card hand evaluator.

Modules: :mod:`~games.poker.cards` (card numbering and names), :mod:`~games.poker.base` (action words,
text form, public keys), :mod:`~games.poker.kuhn`, :mod:`~games.poker.leduc`, :mod:`~games.poker.holdem`,
:mod:`~games.poker.hand_eval` (numba). Their playout speed is measured by
``python -m benchmarks.poker_games_speed``.
"""
