#!/usr/bin/env bash
# The webhook benchmark's forged-signature flood (issue 17): how many forged deliveries per second the
# project refuses with 401, against ceiling-bc (the shared bench's JDK-only receiver verifying with
# BouncyCastle) refusing the same flood on the same machine. A receiver that refuses forgeries more
# slowly than the ceiling lets forged traffic take the CPU genuine deliveries need; the goal is
# project/ceiling-bc >= 0.8. The shared harness (../shared/bench) measures only signed deliveries and
# cannot be changed from this repository, so this scenario lives here and reuses its tools as they are:
# BenchTool gen (signed deliveries), BenchTool serve (the loopback JWKS), Ceiling, wrk/cycle.lua.
#
# Run from the project root, after building the jar and the bench's one-time setup:
#   mvn -B -q package -DskipTests
#   ../shared/bench/setup.sh            # once: wrk, and BouncyCastle into ../shared/bench/lib
#   src/test/bench/forged-flood.sh
# The last line reads
#   forged-flood: project/ceiling-bc=0.xx project=N 401/s ceiling-bc=M 401/s
# and the exit status is 1 when a target gave no figure or answered anything but 401 to a forgery.
#
# The forgeries: deliveries signed exactly as the harness signs them (fresh timestamps, the known kid
# bench-key-1), then one hex digit of each signature changed: the first digit of S, its lowest byte.
# R stays a valid point and S stays below the group order, so no cheap pre-check can refuse it: the
# receiver hashes the body and runs the whole Ed25519 verify, for each key it holds (both targets try
# the kid's key, then the other key in the JWKS). Before the load each target must accept one genuine
# delivery (2xx: it really verifies) and refuse one forged one with 401.
#
# Load: the harness's wrk settings, wrk -t1 -cBENCH_CONNECTIONS --timeout 5s with ../shared/bench/wrk/cycle.lua,
# BENCH_WARMUP_S of warm-up (not measured) then BENCH_DURATION_S measured, each on a freshly generated
# forged set of BENCH_N deliveries cycled through (a refusal stores nothing, so repeats cost the same).
# The targets run one after the other, never at once, each on a free 127.0.0.1 port, each in its own
# session, stopped afterwards by its pid (SIGTERM, then SIGKILL after BENCH_STOP_GRACE_S).
# "non-401" counts every answer that is not a refusal (wrk's requests minus its status >= 400 count)
# plus socket errors. wrk cannot tell a 401 from a 503, so for the project the script also reads its
# own counter ideogram_webhook_rejected_total around the measured window: any refusal reason other
# than invalid_signature (stale_timestamp, keys_unavailable, internal_error...) is counted non-401 too.
# Other columns: peak RSS (the session's summed RSS, sampled every 200 ms), srv CPU% (the target's
# CPU over the measured window, 200% = both cores) and the kernel's part of it, and 401/CPU-s
# (refusals per CPU-second the target used). On a shared machine the 401/s ratio moves with whatever
# else runs, and a target with more runnable threads (the project's 16 workers against ceiling-bc's 4)
# wins more of the cores from it; the per-CPU ratio printed above the last line moves less.
# With the harness's 5 s warm-up the project's JVM is still compiling its Camel and Vert.x paths
# during the measured window (its JIT threads count in its CPU); BENCH_WARMUP_S=40 shows it settled.
#
# Knobs (environment):
#   PROJECT_CMD            the project's command, run with bash -c from the project root
#                          (default: java -jar target/ideogram-camel.jar); e.g. a JFR recording:
#                          PROJECT_CMD='java -XX:StartFlightRecording=filename=/tmp/flood.jfr,settings=profile,dumponexit=true -jar target/ideogram-camel.jar'
#   BENCH_DURATION_S       measured seconds per target (15)
#   BENCH_WARMUP_S         warm-up seconds per target, not measured (5)
#   BENCH_CONNECTIONS      wrk connections (16)
#   BENCH_N                forged deliveries per set (20000)
#   BENCH_PROJECT_START_S  how long the project may take to answer its first delivery (120)
#   BENCH_STOP_GRACE_S     SIGTERM to SIGKILL, per target (15; the JVM writes a JFR dump on exit)
#   FLOOD_TARGETS          comma list of ceiling-bc,project (both); the ratio needs both
#   BENCH_DIR              the shared bench (../shared/bench)
#   FLOOD_KEEP=1           keep the work directory (logs, wrk output); it is kept anyway when a target fails
# The project gets the harness's project-slot environment: CAMEL_SERVER_PORT, IDEOGRAM_JWKS_URL and
# IDEOGRAM_API_URL (the loopback stub), IDEOGRAM_API_KEY (a dummy unless set), STORAGE_DIR,
# IDEOGRAM_IMAGE_HOSTS=images.bench.invalid, and a fresh H2 store of its own
# (STORE_JDBC_URL=jdbc:h2:file:<work>/store;WRITE_DELAY=0) so no earlier run's rows are involved.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

bench="${BENCH_DIR:-$root/../shared/bench}"
duration="${BENCH_DURATION_S:-15}"
warmup="${BENCH_WARMUP_S:-5}"
conns="${BENCH_CONNECTIONS:-16}"
nreqs="${BENCH_N:-20000}"
project_start_s="${BENCH_PROJECT_START_S:-120}"
grace="${BENCH_STOP_GRACE_S:-15}"
targets="${FLOOD_TARGETS:-ceiling-bc,project}"
project_cmd="${PROJECT_CMD:-java -jar target/ideogram-camel.jar}"
path=/webhooks/ideogram

for tool in java javac wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "forged-flood: $tool is required (../shared/bench/setup.sh installs wrk)" >&2; exit 2; }
done
[ -f "$bench/java/BenchTool.java" ] || { echo "forged-flood: no shared bench at $bench (set BENCH_DIR)" >&2; exit 2; }
bcjar="$(ls "$bench"/lib/bcprov-*.jar 2>/dev/null | sort | tail -n 1 || true)"
[ -n "$bcjar" ] || { echo "forged-flood: no BouncyCastle jar in $bench/lib: run ../shared/bench/setup.sh" >&2; exit 2; }
bcver="$(basename "$bcjar" .jar)"; bcver="${bcver##*-}"
case ",$targets," in *,project,*) [ -n "${PROJECT_CMD:-}" ] || [ -f target/ideogram-camel.jar ] \
  || { echo "forged-flood: target/ideogram-camel.jar missing: mvn -B -q package -DskipTests" >&2; exit 2; } ;; esac

work="$(mktemp -d "${TMPDIR:-/tmp}/forged-flood.XXXXXX")"
reqs="$work/reqs"
mkdir -p "$reqs"
pids=()      # session leaders we started, stopped by pid only
failed=0

# Stops one started session: its leader's pid is the group id (setsid), so the JVM under bash -c goes too.
stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  trap - EXIT TERM INT
  local p
  for p in "${pids[@]}"; do stop_pid "$p"; done
  if [ "${FLOOD_KEEP:-0}" = 1 ] || [ "$failed" != 0 ]; then
    rm -rf "$reqs" "$work"/store* "$work/project-data"
    echo "forged-flood: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The shared bench's classes when they are up to date, else our own compile (shared/ may be read-only).
classes="$bench/build/classes"
if [ ! -f "$classes/Ceiling.class" ] || [ ! -f "$classes/BenchTool.class" ] \
   || [ -n "$(find "$bench/java" -newer "$classes/Ceiling.class" -name '*.java' 2>/dev/null)" ]; then
  classes="$work/classes"
  mkdir -p "$classes"
  timeout 120 javac -nowarn -d "$classes" "$bench/java/BenchTool.java" "$bench/java/Ceiling.java"
fi
cp_bc="$classes:$bcjar"

gen() {  # gen PREFIX N -> $reqs/PREFIX.ed.tsv (signed as the harness signs)
  timeout 120 java "-Dbc.version=$bcver" -cp "$cp_bc" BenchTool gen --dir "$reqs" --n "$2" --prefix "$1" \
    --image-base "$stub_base" >/dev/null
  rm -f "$reqs/$1.hmac.tsv"
}

# Column 5 is the signature's 128 hex digits: R (0-63) then S (64-127), little-endian. Digit 64 is the
# high nibble of S's lowest byte: changing it keeps S below the group order and R on the curve.
forge() {  # forge IN OUT
  awk -F'\t' -v OFS='\t' '{ c = substr($5, 65, 1); $5 = substr($5, 1, 64) (c == "0" ? "1" : "0") substr($5, 66); print }' "$1" > "$2"
  local bad
  bad="$(paste "$1" "$2" | awk -F'\t' '$5 == $11 || length($11) != 128 { n++ } END { print n + 0 }')"
  [ "$bad" = 0 ] || { log "forge: $bad signatures unchanged"; return 1; }
}

# probe FILE PORT -> the HTTP status of the file's first delivery (000 when there is no answer)
probe() {
  local f id user ts kid sig body
  IFS=$'\t' read -r id user ts kid sig body < "$1"
  printf '%s' "$body" > "$work/probe.body"
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$2$path" \
    -H 'Content-Type: application/json' -H "X-Ideogram-Webhook-Generation-Id: $id" \
    -H "X-Ideogram-Webhook-User-Id: $user" -H "X-Ideogram-Webhook-Timestamp: $ts" \
    -H "X-Ideogram-Webhook-Key-Id: $kid" -H "X-Ideogram-Webhook-Signature: $sig" \
    --data-binary "@$work/probe.body" || true
}

session_cpu_ticks() {  # "utime stime" summed over every process in the session
  local p u=0 s=0 v
  for p in $(ps -o pid= --sid "$1" 2>/dev/null); do
    v="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12, $13 }')" || continue
    [ -n "$v" ] || continue
    u=$((u + ${v% *})); s=$((s + ${v#* }))
  done
  echo "$u $s"
}

rss_sampler() {  # writes the session's peak summed RSS (kB) to $2 every 200 ms while it lives (bounded)
  local peak=0 r i
  for ((i = 0; i < 36000; i++)); do
    kill -0 "$1" 2>/dev/null || break
    r="$(ps -o rss= --sid "$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')"
    [ "$r" -gt "$peak" ] && { peak="$r"; echo "$peak" > "$2"; }
    sleep 0.2
  done
}

# rejected_counts PORT -> "reason count" lines from the project's Prometheus counter (empty if unreadable)
rejected_counts() {
  curl -s --max-time 5 "http://127.0.0.1:$1/observe/metrics" 2>/dev/null \
    | awk '/^ideogram_webhook_rejected_total\{/ { match($0, /reason="[^"]*"/); r = substr($0, RSTART + 8, RLENGTH - 9); c[r] += $NF }
           END { for (r in c) printf "%s %d\n", r, c[r] }' || true
}

run_wrk() {  # run_wrk PORT FILE SECONDS LABEL -> the BENCH_RESULT fields
  local out="$work/$4.wrk.txt"
  BENCH_REQS="$2" BENCH_MODE=ed BENCH_THREADS=1 timeout $(($3 + 60)) \
    wrk -t1 "-c$conns" "-d${3}s" --timeout 5s -s "$bench/wrk/cycle.lua" "http://127.0.0.1:$1$path" > "$out" 2>&1 || true
  sed -n 's/^BENCH_RESULT //p' "$out"
}

field() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"; }

# The loopback "Ideogram side": one key and JWKS for the whole run, served by BenchTool serve.
stub_port="$(free_port)"
stub_base="http://127.0.0.1:$stub_port"
gen keycheck 1
setsid java -cp "$classes" BenchTool serve --port "$stub_port" --jwks "$reqs/jwks.json" --threads 4 --delay-ms 0 \
  > "$work/jwks-stub.log" 2>&1 < /dev/null &
stub_pid=$!
pids+=("$stub_pid")
for ((i = 0; i < 150; i++)); do
  curl -sf -o /dev/null --max-time 2 "$stub_base/v1/.well-known/jwks.json" && break
  kill -0 "$stub_pid" 2>/dev/null || break
  sleep 0.2
done
curl -sf -o /dev/null --max-time 2 "$stub_base/v1/.well-known/jwks.json" || { failed=1; log "JWKS stub did not start"; exit 1; }

declare -A rps p50 p99 non401 sockerr rss cpu sys_pct per_cpu note
proxyless=(env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost)

run_target() {
  local name="$1" port pid start_s status bad res warm sampler before after t0 t1 c0 c1 extra
  port="$(free_port)"
  log "$name: generating and forging $nreqs warm-up deliveries"
  gen "$name.warm" "$nreqs" && forge "$reqs/$name.warm.ed.tsv" "$reqs/$name.warm.forged.tsv" \
    || { note[$name]="FAILED: could not generate the forged deliveries"; return 1; }
  if [ "$name" = ceiling-bc ]; then
    start_s=30
    setsid "${proxyless[@]}" CAMEL_SERVER_PORT="$port" IDEOGRAM_JWKS_URL="$stub_base/v1/.well-known/jwks.json" \
      CEILING_CRYPTO=bc java -cp "$cp_bc" Ceiling > "$work/$name.log" 2>&1 < /dev/null &
  else
    start_s="$project_start_s"
    mkdir -p "$work/project-data/images"
    setsid "${proxyless[@]}" CAMEL_SERVER_PORT="$port" IDEOGRAM_JWKS_URL="$stub_base/v1/.well-known/jwks.json" \
      IDEOGRAM_API_URL="$stub_base" IDEOGRAM_API_KEY="${IDEOGRAM_API_KEY:-bench-not-a-real-key}" \
      STORAGE_DIR="$work/project-data/images" IDEOGRAM_IMAGE_HOSTS=images.bench.invalid \
      STORE_JDBC_URL="jdbc:h2:file:$work/store;WRITE_DELAY=0" \
      bash -c "$project_cmd" > "$work/$name.log" 2>&1 < /dev/null &
  fi
  pid=$!
  pids+=("$pid")
  # Ready = the genuine probe is answered other than 503 (the project says 503 until every route runs).
  status=000
  for ((i = 0; i < start_s * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    status="$(probe "$reqs/$name.warm.ed.tsv" "$port")"
    [ "$status" != 000 ] && [ "$status" != 503 ] && break
    sleep 0.25
  done
  bad="$(probe "$reqs/$name.warm.forged.tsv" "$port")"
  log "$name: port $port; genuine probe -> $status; forged probe -> $bad"
  if [[ "$status" != 2?? ]] || [ "$bad" != 401 ]; then
    note[$name]="FAILED: genuine probe $status, forged probe $bad (want 2xx and 401); see $work/$name.log"
    stop_pid "$pid"
    return 1
  fi
  rss_sampler "$pid" "$work/$name.rss" &
  sampler=$!
  res="$(run_wrk "$port" "$reqs/$name.warm.forged.tsv" "$warmup" "$name.warmup")"
  log "$name: warm-up $(field "$res" requests) requests, non-2xx $(field "$res" non2xx)"
  if ! { gen "$name.measure" "$nreqs" && forge "$reqs/$name.measure.ed.tsv" "$reqs/$name.measure.forged.tsv"; }; then
    note[$name]="FAILED: could not generate the forged deliveries"
    kill "$sampler" 2>/dev/null || true
    stop_pid "$pid"
    return 1
  fi
  [ "$name" = project ] && before="$(rejected_counts "$port")"
  c0="$(session_cpu_ticks "$pid")"; t0="$(date +%s%N)"
  res="$(run_wrk "$port" "$reqs/$name.measure.forged.tsv" "$duration" "$name.measure")"
  c1="$(session_cpu_ticks "$pid")"; t1="$(date +%s%N)"
  [ "$name" = project ] && after="$(rejected_counts "$port")"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  if ! kill -0 "$pid" 2>/dev/null; then
    note[$name]="FAILED: exited during the run; see $work/$name.log"
  fi
  stop_pid "$pid"
  rm -f "$reqs/$name".*
  if [ -z "$res" ]; then
    note[$name]="FAILED: wrk gave no result; see $work/$name.measure.wrk.txt"
    return 1
  fi
  local req non2xx sock
  req="$(field "$res" requests)"; non2xx="$(field "$res" non2xx)"
  sock=$(( $(field "$res" connect) + $(field "$res" read) + $(field "$res" write) + $(field "$res" timeout) ))
  rps[$name]="$(awk -v r="$req" -v d="$(field "$res" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }')"
  p50[$name]="$(awk -v v="$(field "$res" p50_us)" 'BEGIN { printf "%.2f", v / 1000 }')"
  p99[$name]="$(awk -v v="$(field "$res" p99_us)" 'BEGIN { printf "%.2f", v / 1000 }')"
  non401[$name]=$(( req - non2xx + sock ))
  sockerr[$name]="$sock"
  rss[$name]="$(awk '{ printf "%.0f", $1 / 1024 }' "$work/$name.rss" 2>/dev/null || echo n/a)"
  local hz ticks sys_ticks
  hz="$(getconf CLK_TCK)"
  ticks=$(( ${c1% *} + ${c1#* } - ${c0% *} - ${c0#* } ))
  sys_ticks=$(( ${c1#* } - ${c0#* } ))
  cpu[$name]="$(awk -v c="$ticks" -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 100 * c / hz / (ns / 1e9) }')"
  # the kernel's share (loopback TCP, thread hand-offs): Java profilers do not see it
  sys_pct[$name]="$(awk -v c="$sys_ticks" -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 100 * c / hz / (ns / 1e9) }')"
  # refusals per CPU-second the target used: comparable across targets even when other work on the
  # machine took a different share of the cores from each
  per_cpu[$name]="$(awk -v r="${rps[$name]}" -v c="${cpu[$name]}" 'BEGIN { if (c > 0) printf "%.0f", r * 100 / c; else print "n/a" }')"
  if [ "$name" = project ]; then
    if [ -z "$after" ]; then
      extra="(rejection counter unreadable: 401 not told from other non-2xx)"
    else
      # refusals for any other reason during the window: each one is an answer that was not our 401
      local other
      other="$(join -a 2 -e 0 -o 0,1.2,2.2 <(sort <<< "$before") <(sort <<< "$after") \
        | awk '$1 != "invalid_signature" { n += $3 - $2 } END { print n + 0 }')"
      non401[$name]=$(( ${non401[$name]} + other ))
      extra="invalid_signature refusals counted by the project: $(join -a 2 -e 0 -o 0,1.2,2.2 <(sort <<< "$before") <(sort <<< "$after") \
        | awk '$1 == "invalid_signature" { print $3 - $2 }')"
    fi
    note[$name]="${note[$name]:-}${note[$name]:+ }$extra"
  fi
  [ "${non401[$name]}" = 0 ] || note[$name]="ERROR: ${non401[$name]} answers were not 401 ${note[$name]:-}"
  log "$name: ${rps[$name]} 401/s, p50 ${p50[$name]} ms, p99 ${p99[$name]} ms, non-401 ${non401[$name]}"
  [[ "${note[$name]:-}" != ERROR* && "${note[$name]:-}" != FAILED* ]]
}

log "work dir $work; $(nproc) cores; wrk -t1 -c$conns, warm-up ${warmup} s + measured ${duration} s per target; BouncyCastle $bcver"
for name in ceiling-bc project; do
  case ",$targets," in *,"$name",*) ;; *) continue ;; esac
  run_target "$name" || failed=1
done

echo
echo "forged-signature flood ($nreqs forged deliveries cycled), $(nproc) cores, loopback, wrk -t1 -c$conns, ${duration} s measured after ${warmup} s warm-up"
printf '%-12s%9s%9s%9s%9s%9s%12s%9s%9s%11s  %s\n' target 401/s 'p50 ms' 'p99 ms' non-401 'sock err' 'peak RSS MB' 'srv CPU%' 'of it sys' '401/CPU-s' ''
for name in ceiling-bc project; do
  case ",$targets," in *,"$name",*) ;; *) continue ;; esac
  if [ -z "${rps[$name]:-}" ]; then
    printf '%-12s  %s\n' "$name" "${note[$name]:-FAILED}"
  else
    printf '%-12s%9s%9s%9s%9s%9s%12s%9s%9s%11s  %s\n' "$name" "${rps[$name]}" "${p50[$name]}" "${p99[$name]}" \
      "${non401[$name]}" "${sockerr[$name]}" "${rss[$name]}" "${cpu[$name]}" "${sys_pct[$name]}" "${per_cpu[$name]}" "${note[$name]:-}"
  fi
done
echo
if [ -n "${rps[project]:-}" ] && [ -n "${rps[ceiling-bc]:-}" ]; then
  echo "(per CPU-second: project/ceiling-bc=$(awk -v a="${per_cpu[project]}" -v b="${per_cpu[ceiling-bc]}" 'BEGIN { printf "%.2f", a / b }'))"
  echo "forged-flood: project/ceiling-bc=$(awk -v a="${rps[project]}" -v b="${rps[ceiling-bc]}" 'BEGIN { printf "%.2f", a / b }') project=${rps[project]} 401/s ceiling-bc=${rps[ceiling-bc]} 401/s"
else
  echo "forged-flood: project/ceiling-bc=n/a project=${rps[project]:-n/a} 401/s ceiling-bc=${rps[ceiling-bc]:-n/a} 401/s"
fi
exit "$failed"
