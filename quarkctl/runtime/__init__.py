"""What every run lives by: `pacing.py` (the pauses, and StopSignal: a stop every sleep wakes up from),
`deadline.py` (--max-runtime, --until)."""
