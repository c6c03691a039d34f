"""Speed benchmarks: random playouts, MCTS and self-play throughput (``python -m benchmarks.speed NAME``)."""
