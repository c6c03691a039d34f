"""Poker benchmarks: solving and exploitability, speed, blueprint x re-solving trade-off, agreement with
open_spiel, depth-limited leaves and heads-up matches (``python -m benchmarks.poker COMMAND``)."""
