"""The command line: options and printing only; each module registers one command group."""
