"""Stories: every enriched article joins the most similar recent story, or starts one.

Pure code (no Kafka, no Elasticsearch): `terms` turns a headline and lede into weighted
terms, `assign` holds the single-pass assigner and its bounded window of stories. The
worker, `wirestream eval stories` and the benchmark run the same assigner.
"""
