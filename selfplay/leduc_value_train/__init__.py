"""Training the Leduc leaf value network on public belief states: data and exact labels
(:mod:`selfplay.leduc_value_train.data`) and the trainer (:mod:`selfplay.leduc_value_train.train`,
``python -m selfplay.leduc_value_train``)."""
