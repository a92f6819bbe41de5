"""Re-acquiring dead links (issue 25): a search source (PanSou, pansou.py) and what the acquire job builds on it."""
