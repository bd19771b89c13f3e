"""The streaming worker: the Faust app, its agent, the batch processor, publishing, dead letters.

Where offsets are committed: `agents/enrich.py` (after `processor.BatchProcessor` has the
Elasticsearch and output-topic acknowledgements). See docs/architecture.md.
"""
