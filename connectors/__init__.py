"""wirestream connectors: sources that turn wire formats into `wire.article.v1` records on Kafka.

- `formats/`: parsing (plaintext, ninjs, NewsML-G2, JSON lines); `read_path` / `read_stream` /
  `parse_bytes` return `ParseResult`s (an article or a `ParseError`, never an exception).
- `article`: article ids (the Kafka key) and schema-valid records; `deadletter`: dead-letter
  records (shared with the worker); `text`: HTML to text, dates, control characters.
- `base.Source` (batches, snapshot/resume) with `files.FileSource`, `files.DirectoryWatcher`,
  `rss.RssSource`; `runner.run` delivers a source's batches and persists its position after the
  broker acknowledged them; `producer.ArticleProducer` wraps kafka-python.
- `http_push`: the aiohttp push endpoint; `http_auth`: its bearer-token hook.
- `cli`: `wirestream ingest | watch | connect rss | serve-http`. See connectors/README.md.
"""
