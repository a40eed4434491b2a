#!/usr/bin/env bash
# How long the runnable jar takes from launch to ready (issue 17's "start to ready <= 3 s"): the time
# until /observe/health/ready first answers 200, which is also when the webhook is routed (requests
# that come earlier wait for the routes: http.start-hold-millis). Each run starts on an empty H2
# store and storage folder of its own, so the store's migrations are part of the figure, as on a
# first start. Run from the project root after `mvn -B -q package -DskipTests`:
#   src/test/bench/start-to-ready.sh
# Knobs: BENCH_RUNS (3), BENCH_JAVA (the java to run, default java from PATH; README measures a
# newer JDK's this way), BENCH_JAVA_OPTS (JVM options, as the run command in README gives them),
# BENCH_READY_TIMEOUT_S (60: a run that takes longer is reported as failed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
jar="target/ideogram-camel.jar"
[ -f "$jar" ] || { echo "start-to-ready: $jar is missing; run mvn -B -q package -DskipTests first" >&2; exit 2; }
runs="${BENCH_RUNS:-3}"
timeout_s="${BENCH_READY_TIMEOUT_S:-60}"
work="$(mktemp -d "${TMPDIR:-/tmp}/start-to-ready.XXXXXX")"
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }

figures=()
for run in $(seq 1 "$runs"); do
  dir="$work/run$run"
  mkdir -p "$dir/storage"
  port="$(free_port)"
  start="$(now_ms)"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  CAMEL_SERVER_PORT="$port" STORAGE_DIR="$dir/storage" STORE_JDBC_URL="jdbc:h2:file:$dir/store;WRITE_DELAY=0" \
    IDEOGRAM_API_KEY=start-to-ready "${BENCH_JAVA:-java}" ${BENCH_JAVA_OPTS:-} -jar "$jar" >"$dir/log" 2>&1 &
  pid=$!
  ready=""
  while [ $(( $(now_ms) - start )) -lt $(( timeout_s * 1000 )) ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/observe/health/ready" || true)" = 200 ]; then
      ready=$(( $(now_ms) - start ))
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  if [ -z "$ready" ]; then
    echo "start-to-ready: run $run did not get ready within ${timeout_s} s; its log:" >&2
    tail -20 "$dir/log" >&2
    exit 1
  fi
  echo "run $run: ready after $ready ms"
  figures+=("$ready")
done
sorted=($(printf '%s\n' "${figures[@]}" | sort -n))
echo "start-to-ready: median ${sorted[$(( runs / 2 ))]} ms over $runs runs (min ${sorted[0]}, max ${sorted[$(( runs - 1 ))]})"
