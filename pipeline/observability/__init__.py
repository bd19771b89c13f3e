"""Logs, metrics, health and lag: shared by the worker and the connectors' services."""
