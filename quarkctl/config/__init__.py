"""Settings and the autosave config: environment and .env, the quark-auto-save JSON (load, validate, write back), push_config."""
