"""The local Kafka + Elasticsearch stack: fetch from Maven Central, run, check, stop.

`lifecycle.up/down/status` are what `wirestream stack ...` and the test fixtures call.
"""
