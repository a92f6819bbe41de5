"""Text for people and machines: check-links and autosave reports (plain, rich, JSON), and the words for machine values."""
