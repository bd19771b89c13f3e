"""wirestream pipeline: the Faust worker, enrichment, sinks and the CLI."""

__version__ = "0.1.0"
