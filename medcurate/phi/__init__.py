"""De-identification of clinical notes (Presidio on spaCy, with clinical recognizers)."""
