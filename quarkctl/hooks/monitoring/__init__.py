"""Around every run: notifications (apprise) and monitoring pings (healthchecks style)."""
