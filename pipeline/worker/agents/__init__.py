"""Faust agents: thin loops that batch, hand the work to `pipeline.worker.processor` and ack."""
