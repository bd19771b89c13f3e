"""Faust agents: thin loops that batch, hand the work to `pipeline.processor` and ack."""
