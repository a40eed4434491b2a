#!/usr/bin/env bash
# The webhook benchmark's project slot as several bundle instances sharing one PostgreSQL schema,
# what replicas: N behind a Service means. Run by ../shared/bench/run.sh through PROJECT_CMD, from
# the project root, after mvn package:
#   PROJECT_CMD='src/test/bench/cluster.sh' ../shared/bench/run.sh
# BENCH_INSTANCES (default 2): with 2 or more, each instance gets its own loopback port and a
# round-robin TCP balancer (RoundRobinBalancer.java) listens on the harness's CAMEL_SERVER_PORT;
# with 1, the single instance listens there itself (the same store, no balancer: the reference).
# The schema is created for the run and dropped when the harness stops the process group.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
instances="${BENCH_INSTANCES:-2}"
front_port="${CAMEL_SERVER_PORT:?the harness sets CAMEL_SERVER_PORT}"
pg=(psql -h "${BENCH_PG_HOST:-127.0.0.1}" -p "${BENCH_PG_PORT:-5432}" -U "${BENCH_PG_USER:-postgres}" -d "${BENCH_PG_DB:-test}" -qAt)
schema="bench_$(date +%s)_$$"
logs="${BENCH_CLUSTER_LOGS:-${TMPDIR:-/tmp}}"
pids=()

# The schema goes before waiting for the instances: the harness sends SIGKILL a few seconds after
# SIGTERM, sooner than a bundle's graceful shutdown ends.
cleanup() {
  trap - EXIT TERM INT
  [ "${#pids[@]}" -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  PGOPTIONS='-c lock_timeout=3000 -c client_min_messages=warning' "${pg[@]}" -c "DROP SCHEMA IF EXISTS $schema CASCADE" || true
  wait || true
}
trap cleanup EXIT
trap 'exit 143' TERM INT

"${pg[@]}" -c "CREATE SCHEMA $schema"
export STORE_JDBC_URL="jdbc:postgresql://${BENCH_PG_HOST:-127.0.0.1}:${BENCH_PG_PORT:-5432}/${BENCH_PG_DB:-test}?currentSchema=$schema"
export STORE_USERNAME="${BENCH_PG_USER:-postgres}"
export CAMEL_SERVER_HOST=127.0.0.1

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

await_ready() {
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/observe/health/ready" && return 0
    sleep 0.2
  done
  echo "cluster.sh: instance on port $1 not ready" >&2
  return 1
}

if [ "$instances" -le 1 ]; then
  java -jar target/ideogram-camel.jar > "$logs/bench-cluster-$schema-1.log" 2>&1 &
  pids+=($!)
  wait
  exit 0
fi

backends=()
for i in $(seq 1 "$instances"); do
  port="$(free_port)"
  CAMEL_SERVER_PORT="$port" java -jar target/ideogram-camel.jar > "$logs/bench-cluster-$schema-$i.log" 2>&1 &
  pids+=($!)
  backends+=("127.0.0.1:$port")
  # one after the other: the first creates the schema's tables, the next find them
  await_ready "$port"
done
java "$here/RoundRobinBalancer.java" "$front_port" "${backends[@]}" &
pids+=($!)
wait
