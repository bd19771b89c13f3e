#!/usr/bin/env bash
# `make demo`: the worker in the background on the local stack, the samples ingested,
# and searches shown. The stack is already up (make demo brings it up first).
# Stop everything with `make stop`.
set -euo pipefail
cd "$(dirname "$0")/../.."
WS=.venv/bin/wirestream
PY=.venv/bin/python
STATE=$($PY -c 'from pipeline.settings import StackSettings; print(StackSettings().state_dir)')
RUN="$STATE/demo"
mkdir -p "$RUN"
SHARED_SAMPLE="$(dirname "${WIRESTREAM_SHARED_DATA:-../shared/data}")/samples/wire-article-1.txt"

if [ -f "$RUN/worker.pid" ] && kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then
  echo "demo: worker already running (pid $(cat "$RUN/worker.pid"))"
else
  echo "demo: starting the worker (log: $RUN/worker.log)"
  : > "$RUN/worker.log"
  setsid nohup "$WS" worker >"$RUN/worker.log" 2>&1 </dev/null &
  echo $! > "$RUN/worker.pid"
  for _ in $(seq 1 300); do
    grep -q '"msg":"worker ready"' "$RUN/worker.log" && break
    if ! kill -0 "$(cat "$RUN/worker.pid")" 2>/dev/null; then
      echo "demo: the worker exited; its log:"; tail -n 40 "$RUN/worker.log"; exit 1
    fi
    sleep 1
  done
  grep -q '"msg":"worker ready"' "$RUN/worker.log" || { echo "demo: worker not ready after 300 s"; exit 1; }
  echo "demo: worker ready"
fi

# One event from two wires plus an update (samples/stories/README.md): two documents.
inputs=(samples/wikinews/articles.jsonl samples/stories/chile-quake.jsonl)
if [ -f "$SHARED_SAMPLE" ]; then inputs=("$SHARED_SAMPLE" "${inputs[@]}"); fi
echo "demo: ingesting ${inputs[*]}"
"$WS" ingest "${inputs[@]}"

expected=$(( $(wc -l < samples/wikinews/articles.jsonl) + 2 ))
if [ -f "$SHARED_SAMPLE" ]; then expected=$((expected + 1)); fi
echo "demo: waiting until $expected articles are searchable, then enriched"
$PY - "$expected" <<'PYEOF'
import sys, time
from elasticsearch import Elasticsearch
from pipeline.settings import ElasticsearchSettings
settings = ElasticsearchSettings()
es = Elasticsearch(settings.url)
expected, started = int(sys.argv[1]), time.monotonic()
deadline = started + 300
done = {"term": {"enrichment.status": "done"}}
searchable = enriched = 0
while time.monotonic() < deadline:
    es.indices.refresh(index=settings.alias)
    if searchable < expected:
        searchable = es.count(index=settings.alias)["count"]
        if searchable >= expected:
            # The raw indexer writes each article on arrival (enrichment.status: pending).
            print(f"demo: {searchable} articles searchable after {time.monotonic() - started:.1f} s")
    enriched = es.count(index=settings.alias, query=done)["count"]
    if enriched >= expected:
        break
    time.sleep(1)
print(f"demo: {enriched} articles enriched in the '{settings.alias}' index "
      f"after {time.monotonic() - started:.1f} s")
sys.exit(0 if enriched >= expected else 1)
PYEOF

show() { echo; echo "\$ wirestream $*"; "$WS" "$@"; }
show search "Euphrates deconfliction line" -n 1
show search --speaker "Jim Mattis" -n 3
show search --topic sport -n 3
show search --semantic "space exploration and rockets" -n 3
show search --stories Valparaiso -n 3
cat <<EOT

The worker keeps running (pid $(cat "$RUN/worker.pid"), log $RUN/worker.log).
Try: .venv/bin/wirestream search "election" --since 2020-01-01
     .venv/bin/wirestream tail news.enriched.v1 -n 1
Stop everything: make stop
EOT
