"""Downloading raw inputs for the ingest stages (today: PMC Open Access articles over HTTPS)."""
