"""Sinks: where enriched records are written (Elasticsearch)."""
