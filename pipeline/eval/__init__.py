"""Measurement of the enrichers on labelled data (`wirestream eval ...`), through the serving code."""
