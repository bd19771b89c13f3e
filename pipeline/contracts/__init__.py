"""What connectors and the worker agree on: record schemas and the dead-letter record.

Imports nothing of either side, so both can depend on it (docs/architecture.md).
"""
