"""quarkctl: check Quark share links and run the quark-auto-save job from cron or systemd."""

__version__ = "0.1.0"
