"""Security plumbing shared by the connectors and the worker (docs/security.md).

- `secrets`: secrets from a setting or its `*_FILE` twin, and `redact()` for text leaving the process.
- `kafka`: kafka-python keyword arguments and Faust credentials from `KafkaSettings`.
- `es_client`: the one factory for (async) Elasticsearch clients.
"""
