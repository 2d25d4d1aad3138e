# What check and train share, sourced by both: a PostgreSQL on this host (the embedded one of dev mode and tests),
# a receiver on loopback, Herald's image started with podman on the host network, and its GraphQL API. The caller
# sets ROOT, WORK (a temporary directory), NAME (the container's name) and the PIDS array before sourcing it; on exit,
# on Ctrl+C and on kill, the container, every process in PIDS and WORK are removed.

cleanup() {
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[container] $*" >&2; }
# FAILURE names what failed (check: "CONTAINER CHECK FAIL", train: "CONTAINER TRAINING FAIL")
fail() { echo "${FAILURE:-CONTAINER CHECK FAIL}: $*" >&2; podman logs "$NAME" 2>&1 | tail -40 >&2 || true; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_postgres: the embedded PostgreSQL on a free port ($PG_PORT), from the test class path
start_postgres() {
  PG_PORT=$(free_port)
  ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" \
    >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; exit 1; }
  ( exec java -cp "$ROOT/target/test-classes:$(cat "$WORK/cp.txt")" dev.herald.bench.BenchPostgres "$PG_PORT" ) \
    >"$WORK/pg.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 1 600); do grep -q READY "$WORK/pg.log" && break; sleep 0.1; done
  grep -q READY "$WORK/pg.log" || { cat "$WORK/pg.log" >&2; fail "PostgreSQL did not start"; }
}

# start_receiver: a receiver on a free port ($RECEIVER_PORT) that appends each POST's webhook-id to
# $WORK/received.txt and answers 200, or 500 on a path under /fail
start_receiver() {
  RECEIVER_PORT=$(free_port)
  ( exec python3 - "$RECEIVER_PORT" "$WORK/received.txt" <<'PY'
import http.server, sys, threading
port, out = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock, open(out, "a") as f:
            f.write(self.headers.get("webhook-id", "") + "\n")
        self.send_response(500 if self.path.startswith("/fail") else 200)
        self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
PY
  ) & PIDS+=($!)
}

# run_herald <image> [podman run options...]: Herald's image as uid 1001 on a read-only root with every capability
# dropped, on the host network with everything bound to 127.0.0.1 ($URL, $MANAGEMENT), against $PG_PORT
run_herald() {
  local image=$1; shift
  HTTP_PORT=$(free_port); MANAGEMENT_PORT=$(free_port)
  URL="http://127.0.0.1:$HTTP_PORT"; MANAGEMENT="http://127.0.0.1:$MANAGEMENT_PORT"
  podman run -d --name "$NAME" --network host --read-only --tmpfs /tmp:rw,size=64m --cap-drop ALL \
    -e QUARKUS_HTTP_HOST=127.0.0.1 -e QUARKUS_HTTP_PORT="$HTTP_PORT" \
    -e QUARKUS_MANAGEMENT_HOST=127.0.0.1 -e QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" \
    -e QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:$PG_PORT/postgres" \
    -e QUARKUS_DATASOURCE_USERNAME=postgres -e QUARKUS_DATASOURCE_PASSWORD=postgres \
    -e HERALD_ADMIN_KEY=container-check-admin-key-of-32-characters-or-more \
    -e HERALD_SIGNING_ENCRYPTION_KEY=Y29udGFpbmVyLWNoZWNrLWtleS1mb3ItaGVyYWxkLi4= \
    -e HERALD_DELIVERY_REQUIRE_HTTPS=false -e HERALD_DELIVERY_ALLOWED_NETWORKS=127.0.0.0/8 \
    "$@" "$image" >/dev/null
}

# wait_ready: until the management port answers ready, at most 60 s; fails at once when the container has stopped
wait_ready() {
  for _ in $(seq 1 600); do
    curl -sf --max-time 2 "$MANAGEMENT/q/health/ready" >/dev/null && return 0
    [ "$(podman inspect --format '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] || fail "the container stopped"
    sleep 0.1
  done
  fail "not ready within 60 s"
}

# graphql <key> <query>: the answer's data, failing on errors
graphql() {
  local answer; answer=$(curl -s --max-time 30 "$URL/graphql" -H 'Content-Type: application/json' -H "x-api-key: $1" \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$2")")
  echo "$answer" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(1) if d.get("errors") else print(json.dumps(d["data"]))' \
    || fail "GraphQL answered $answer"
}

# new_tenant: an application ($KEY) with a provider ($PROVIDER)
new_tenant() {
  KEY=$(graphql container-check-admin-key-of-32-characters-or-more 'mutation { createApplication(createApplicationInput: {name: "check"}) { apiKey } }' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["createApplication"]["apiKey"])')
  PROVIDER=$(graphql "$KEY" 'mutation { createProvider(createProviderInput: {name: "smtp", channelType: 1}) { providerId } }' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["createProvider"]["providerId"])')
}
