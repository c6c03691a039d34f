"""Supervised warm start of a chess network from Stockfish: positions labelled by the engine
(:mod:`selfplay.distill.data`), stored in compact shards (:mod:`selfplay.distill.store`) and learned
(:mod:`selfplay.distill.train`, ``python -m selfplay.distill``)."""
