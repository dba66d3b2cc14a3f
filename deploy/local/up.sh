#!/usr/bin/env bash
# Runs the Attain suite on this machine: installs missing Debian packages, builds Release
# into build/release, starts PostgreSQL and Redis (unless ATTAIN_PG_URL / ATTAIN_REDIS_URL
# point at your own), starts the services on loopback ports, and loads a small demo data set.
# Everything it starts is recorded under the state folder (ATTAIN_STATE_DIR, default
# <repo>/.attain) and stopped by deploy/local/down.sh.
set -euo pipefail

caller_dir=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# The services, in start order; each may use the addresses of those started before it
# (exported as ATTAIN_<NAME>_ADDR). Add a service: a line here, and its extra flags in
# service_args below.
SERVICES=(
  target
  ingest
  eval
  review
)

# service_args NAME: sets the array `extra` to NAME's flags beyond the common ones.
service_args() {
  extra=()
  case "$1" in
    target) ;;
    ingest) extra=(--target-addr "$ATTAIN_TARGET_ADDR") ;;
    eval) extra=(--target-addr "$ATTAIN_TARGET_ADDR" --ingest-addr "$ATTAIN_INGEST_ADDR") ;;
    review) extra=(--target-addr "$ATTAIN_TARGET_ADDR" --eval-addr "$ATTAIN_EVAL_ADDR") ;;
  esac
}

# --- paths ---------------------------------------------------------------------------
if [[ -n "${ATTAIN_STATE_DIR:-}" ]]; then
  STATE=$(cd "$caller_dir" && realpath -m -- "$ATTAIN_STATE_DIR")
else
  STATE=$ROOT/.attain
fi
BUILD=$ROOT/build/release
CTL=$BUILD/tools/attainctl/attainctl
RUN=$STATE/run              # pid files and the manifest of what we started
MANIFEST=$RUN/started
LOGS=$STATE/logs
KEY=$STATE/jwt.key
TLS=$STATE/tls             # the throwaway CA and the certificates it signs
DB=attain

log() { printf 'up: %s\n' "$*"; }
die() { printf 'up: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# pid_alive PIDFILE NAME: the pid in PIDFILE is a live process whose command line mentions NAME.
pid_alive() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(head -n1 "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$2"
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
# process_running PID: the process exists and has not exited (not a zombie).
process_running() {
  [[ "$1" =~ ^[0-9]+$ && -r /proc/$1/stat ]] || return 1
  local state
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port START [PREFERRED]: PREFERRED if free, else the first free port from START.
free_port() {
  local p
  if [[ -n "${2:-}" ]] && port_free "$2"; then echo "$2"; return; fi
  for ((p = $1; p < $1 + 1000; p++)); do
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free port in $1..$(($1 + 999))"
}

pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server binaries (initdb, pg_ctl) not found: is the postgresql package installed?"
}

# as_pg CMD...: runs CMD as the PostgreSQL owner (postgres when we are root), from /.
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# component_alive LINE: the manifest LINE's component is running.
component_alive() {
  local kind name
  read -r kind name <<<"$1"
  case "$kind" in
    postgres) [[ -d "$STATE/pg/data" ]] && as_pg "$(pg_bindir)/pg_ctl" -D "$(readlink -f "$STATE/pg")/data" status >/dev/null 2>&1 ;;
    redis) pid_alive "$RUN/redis.pid" redis-server ;;
    service) pid_alive "$RUN/$name.pid" "attain-$name" ;;
    *) return 1 ;;
  esac
}

print_usage() {
  # shellcheck disable=SC1091
  source "$STATE/env"
  local name var stop_prefix=""
  [[ "$STATE" == "$ROOT/.attain" ]] || stop_prefix="ATTAIN_STATE_DIR=$(printf '%q' "$STATE") "
  echo
  echo "Attain is running (state: $STATE)"
  for name in "${SERVICES[@]}"; do
    var=ATTAIN_${name^^}_ADDR
    printf '  %-10s %s   (TLS; metrics: http://127.0.0.1:%s/metrics; log: %s)\n' "$name" "${!var}" \
      "$(cat "$STATE/$name.metrics-port" 2>/dev/null)" "$LOGS/$name.log"
  done
  printf '  %-10s %s\n' postgres "$ATTAIN_PG_URL" redis "$ATTAIN_REDIS_URL"
  cat <<EOF

Try it (attainctl reads ATTAIN_TARGET_ADDR, ATTAIN_TOKEN, ATTAIN_JWT_KEY_FILE and its TLS
certificate from ATTAIN_TLS_CA_FILE, ATTAIN_TLS_CERT_FILE and ATTAIN_TLS_KEY_FILE):
  source $(printf '%q' "$STATE/env")
  export ATTAIN_TOKEN="\$(attainctl token mint --tenant demo --subject admin --role admin)"
  attainctl org tree
  attainctl target list --metric sales_amount
  attainctl target check
  attainctl meeting list          (the review service: committees, meetings, minutes)
Stop it:  ${stop_prefix}deploy/local/down.sh   (add --purge to delete the data too)
EOF
}

# --- already running? ------------------------------------------------------------------
if [[ -s "$MANIFEST" ]]; then
  all=1
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    component_alive "$line" || all=0
  done <"$MANIFEST"
  if [[ $all -eq 1 && -s "$STATE/env" ]]; then
    log "already running"
    print_usage
    exit 0
  fi
  log "a previous run is only partly up: stopping what is left of it first"
  ATTAIN_STATE_DIR=$STATE "$ROOT/deploy/local/down.sh"
fi

# --- packages and build --------------------------------------------------------------
"$ROOT/deploy/local/install-deps.sh"
log "building Release into build/release"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTAIN_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2

mkdir -p "$STATE" "$RUN" "$LOGS"
: >"$MANIFEST"

# From here on, a failure stops whatever this run started.
cleanup_on_failure() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "up: failed; stopping what was started (data is kept)" >&2
    ATTAIN_STATE_DIR=$STATE "$ROOT/deploy/local/down.sh" >&2 || true
  fi
}
trap cleanup_on_failure EXIT

# --- PostgreSQL ----------------------------------------------------------------------
if [[ -n "${ATTAIN_PG_URL:-}" ]]; then
  PG_URL=$ATTAIN_PG_URL
  log "using your PostgreSQL at $PG_URL"
else
  PGBIN=$(pg_bindir)
  PGROOT=$STATE/pg
  if [[ ! -e "$PGROOT" ]]; then
    mkdir -p "$PGROOT"
    if is_root; then
      chown postgres: "$PGROOT"
      chmod 700 "$PGROOT"
      # The postgres user must reach the folder; when the state folder is somewhere it
      # cannot (e.g. under /root), keep the cluster in postgres's home and link it here.
      if ! runuser -u postgres -- test -w "$PGROOT"; then
        home=$(getent passwd postgres | cut -d: -f6)
        real=$home/attain-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
        rmdir "$PGROOT"
        mkdir -p "$real"
        chown postgres: "$real"
        chmod 700 "$real"
        ln -s "$real" "$PGROOT"
        log "postgres cannot reach $STATE: the cluster lives in $real"
      fi
    fi
  fi
  # Through the link, if any: postgres may not be able to traverse the state folder.
  PGROOT=$(readlink -f "$PGROOT")
  PGLOG=$PGROOT/postgres.log
  if [[ ! -f "$PGROOT/data/PG_VERSION" ]]; then
    log "creating a PostgreSQL cluster in $PGROOT/data"
    as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C \
      >"$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg mkdir -p "$PGROOT/run"
  sock=$PGROOT/run
  # A unix socket path must fit in 107 bytes; past that, TCP only.
  if [[ $(( ${#sock} + 20 )) -gt 107 ]]; then sock=""; fi
  pg_port=""
  prev=$(cat "$STATE/pg.port" 2>/dev/null || true)
  for ((try = 0; try < 10; try++)); do
    port=$(free_port $((55432 + try * 7)) "$prev") || exit 1
    prev=""
    logsize=$(stat -c %s "$PGLOG" 2>/dev/null || echo 0)
    if as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGLOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock'" \
      start >/dev/null; then
      pg_port=$port
      break
    fi
    # Another server may have grabbed the port between the check and the start.
    if tail -c +$((logsize + 1)) "$PGLOG" | grep -q "Address already in use"; then
      continue
    fi
    tail -n 20 "$PGLOG" >&2
    die "PostgreSQL did not start (log: $PGLOG)"
  done
  [[ -n "$pg_port" ]] || die "PostgreSQL did not start (log: $PGLOG)"
  echo "postgres" >>"$MANIFEST"
  echo "$pg_port" >"$STATE/pg.port"
  log "PostgreSQL on 127.0.0.1:$pg_port"
  psql=("$PGBIN/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres)
  if [[ -z $("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
  fi
  PG_URL=postgresql://postgres@127.0.0.1:$pg_port/$DB
fi

# --- Redis ---------------------------------------------------------------------------
if [[ -n "${ATTAIN_REDIS_URL:-}" ]]; then
  REDIS_URL=$ATTAIN_REDIS_URL
  log "using your Redis at $REDIS_URL"
else
  mkdir -p "$STATE/redis"
  redis_port=""
  prev=$(cat "$STATE/redis.port" 2>/dev/null || true)
  for ((try = 0; try < 10; try++)); do
    port=$(free_port $((56379 + try * 7)) "$prev") || exit 1
    prev=""
    rm -f "$RUN/redis.pid"
    touch "$LOGS/redis.log"
    logsize=$(stat -c %s "$LOGS/redis.log")
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
      --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" --dir "$STATE/redis" >/dev/null
    for ((i = 0; i < 100; i++)); do
      if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] &&
        pid_alive "$RUN/redis.pid" redis-server; then
        redis_port=$port
        break 2
      fi
      # Another server may have grabbed the port between the check and the start.
      if tail -c +$((logsize + 1)) "$LOGS/redis.log" | grep -q "Address already in use"; then
        break
      fi
      sleep 0.1
    done
    if pid_alive "$RUN/redis.pid" redis-server; then kill "$(cat "$RUN/redis.pid")"; fi
  done
  [[ -n "$redis_port" ]] || { tail -n 20 "$LOGS/redis.log" >&2; die "Redis did not start (log: $LOGS/redis.log)"; }
  echo "redis" >>"$MANIFEST"
  echo "$redis_port" >"$STATE/redis.port"
  log "Redis on 127.0.0.1:$redis_port"
  REDIS_URL=redis://127.0.0.1:$redis_port
fi

# --- JWT signing key -----------------------------------------------------------------
if [[ ! -s "$KEY" ]]; then
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$KEY")
fi
chmod 600 "$KEY"

# --- TLS: a throwaway CA, a certificate per service and one for attainctl -------------
# Every listener serves TLS and requires a client certificate from this CA (mutual TLS):
# the services present theirs to each other, attainctl its own. Kept across restarts.
make_cert() { # make_cert NAME: $TLS/NAME.{key,crt}, for localhost and 127.0.0.1
  local name=$1
  [[ -s "$TLS/$name.crt" && -s "$TLS/$name.key" ]] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=attain-$name" \
    -keyout "$TLS/$name.key" -out "$TLS/$name.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth,clientAuth" \
    "basicConstraints=CA:FALSE" >"$TLS/$name.ext"
  openssl x509 -req -in "$TLS/$name.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$TLS/$name.ext" -out "$TLS/$name.crt" 2>/dev/null
  rm -f "$TLS/$name.csr" "$TLS/$name.ext"
  chmod 600 "$TLS/$name.key"
}
mkdir -p "$TLS"
if [[ ! -s "$TLS/ca.crt" || ! -s "$TLS/ca.key" ]]; then
  rm -f "$TLS"/*.crt "$TLS"/*.key
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=attain local CA" -keyout "$TLS/ca.key" -out "$TLS/ca.crt" 2>/dev/null) ||
    die "openssl could not make the local CA"
fi
for name in "${SERVICES[@]}" attainctl; do make_cert "$name" || die "openssl could not make $name's certificate"; done
export ATTAIN_TLS_CA_FILE=$TLS/ca.crt ATTAIN_TLS_CERT_FILE=$TLS/attainctl.crt ATTAIN_TLS_KEY_FILE=$TLS/attainctl.key

# --- services ------------------------------------------------------------------------
for name in "${SERVICES[@]}"; do
  bin=$BUILD/services/$name/attain-$name
  [[ -x "$bin" ]] || die "$bin was not built"
  portfile=$STATE/$name.port
  pidfile=$RUN/$name.pid
  svclog=$LOGS/$name.log
  # Keep the previous port when it is still free, so addresses stay put across restarts.
  listen_port=0
  prev=$(cat "$portfile" 2>/dev/null || true)
  if [[ "$prev" =~ ^[0-9]+$ ]] && port_free "$prev"; then listen_port=$prev; fi
  rm -f "$portfile"
  service_args "$name"
  # Prometheus metrics on the next free port from 9401 (the previous one when free).
  metrics_port=$(free_port 9401 "$(cat "$STATE/$name.metrics-port" 2>/dev/null || true)")
  echo "$metrics_port" >"$STATE/$name.metrics-port"
  echo "--- $(date -Is) starting $name" >>"$svclog"
  # ATTAIN_JWT_KEY from the caller's shell would clash with --jwt-key-file; the TLS
  # variables (attainctl's certificate) with the service's own flags.
  env -u ATTAIN_JWT_KEY -u ATTAIN_TLS_CA_FILE -u ATTAIN_TLS_CERT_FILE -u ATTAIN_TLS_KEY_FILE -u ATTAIN_PLAINTEXT \
    setsid "$bin" --listen "127.0.0.1:$listen_port" --pg-url "$PG_URL" --redis-url "$REDIS_URL" \
    --jwt-key-file "$KEY" --port-file "$portfile" \
    --tls-cert-file "$TLS/$name.crt" --tls-key-file "$TLS/$name.key" --tls-ca-file "$TLS/ca.crt" \
    --tls-require-client-cert --metrics-listen "127.0.0.1:$metrics_port" \
    "${extra[@]}" </dev/null >>"$svclog" 2>&1 &
  echo $! >"$pidfile"
  echo "service $name" >>"$MANIFEST"

  healthy=0
  addr=""
  for ((i = 0; i < 300; i++)); do
    # Gone (or a zombie) means it exited; a process that is not yet the
    # service is the fork before its exec: wait for it.
    if ! pid_alive "$pidfile" "attain-$name"; then
      process_running "$(head -n1 "$pidfile")" || break
    fi
    if [[ -z "$addr" && -s "$portfile" ]]; then addr=127.0.0.1:$(head -n1 "$portfile"); fi
    if [[ -n "$addr" ]] && "$CTL" --addr "$addr" health >/dev/null 2>&1; then
      healthy=1
      break
    fi
    sleep 0.1
  done
  if [[ $healthy -ne 1 ]]; then
    echo "---- last lines of $svclog:" >&2
    tail -n 30 "$svclog" >&2
    pid_alive "$pidfile" "attain-$name" || die "$name exited at start (log: $svclog)"
    die "$name did not become healthy within 30 s (log: $svclog)"
  fi
  export "ATTAIN_${name^^}_ADDR=$addr"
  log "$name on $addr (TLS; metrics http://127.0.0.1:$metrics_port/metrics)"
done

# --- env file ------------------------------------------------------------------------
{
  for name in "${SERVICES[@]}"; do
    var=ATTAIN_${name^^}_ADDR
    printf 'export %s=%q\n' "$var" "${!var}"
  done
  printf 'export ATTAIN_JWT_KEY_FILE=%q\n' "$KEY"
  printf 'export ATTAIN_TLS_CA_FILE=%q\n' "$TLS/ca.crt"
  printf 'export ATTAIN_TLS_CERT_FILE=%q\n' "$TLS/attainctl.crt"
  printf 'export ATTAIN_TLS_KEY_FILE=%q\n' "$TLS/attainctl.key"
  printf 'export ATTAIN_PG_URL=%q\n' "$PG_URL"
  printf 'export ATTAIN_REDIS_URL=%q\n' "$REDIS_URL"
  # shellcheck disable=SC2016  # $PATH is expanded when the env file is sourced
  printf 'export PATH=%q:"$PATH"\n' "$BUILD/tools/attainctl"
} >"$STATE/env"

# --- demo data -----------------------------------------------------------------------
# Loaded once per database (the marker remembers which; our own cluster may change port).
demo_db=${ATTAIN_PG_URL:-local}
if [[ "$(cat "$STATE/demo.loaded" 2>/dev/null || true)" != "$demo_db" ]]; then
  log "loading the demo data set"
  token=$("$CTL" token mint --tenant demo --subject admin --role admin --key-file "$KEY")
  "$CTL" --addr "$ATTAIN_TARGET_ADDR" --token "$token" demo load
  printf '%s\n' "$demo_db" >"$STATE/demo.loaded"
fi
# The review demo (a committee and its next meeting) has its own marker, so that a
# state folder from before the review service gets it too.
if [[ "$(cat "$STATE/demo-review.loaded" 2>/dev/null || true)" != "$demo_db" ]]; then
  log "loading the review demo (committee perf and its next meeting)"
  token=$("$CTL" token mint --tenant demo --subject admin --role admin --key-file "$KEY")
  "$CTL" --review-addr "$ATTAIN_REVIEW_ADDR" --token "$token" demo review
  printf '%s\n' "$demo_db" >"$STATE/demo-review.loaded"
fi

trap - EXIT
print_usage
