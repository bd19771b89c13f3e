"""`python -m pipeline.cli`: the `wirestream` command, for child processes of the worker."""

from pipeline.cli.main import cli

cli(prog_name="wirestream")
