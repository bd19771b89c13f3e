"""Enrichment: plain functions over batches of articles, plus the models they load once per worker."""
