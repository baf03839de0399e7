"""Prefect flows: wiring only. Each task calls the same stage runner the CLI uses."""
