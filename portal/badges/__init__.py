"""Badges and awards area: the earned badge board, the leaderboard and learning path totals."""
