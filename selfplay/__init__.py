"""Self-play training on Ray: workers, replay buffer, learner, the training loop and its CLI."""
