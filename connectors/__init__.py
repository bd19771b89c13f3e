"""wirestream connectors: sources that turn wire formats into `wire.article.v1` records on Kafka."""
