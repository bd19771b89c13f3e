"""Training of the small heads on top of the encoder (needs the `models` extra and the shared data)."""
