"""Where agents meet: the match loop, game records, match summaries, the one statistics module (score,
Elo difference, intervals, LOS, SPRT), AIVAT for poker and the puzzle runner for one-player games."""
