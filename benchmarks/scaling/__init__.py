"""The scaling study: network checkpoints x search budgets rated together against fixed anchors, and the
exchange rate between search and training (``python -m benchmarks.scaling``)."""
