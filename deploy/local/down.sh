#!/usr/bin/env bash
# Stops exactly what deploy/local/up.sh started (as recorded in <state>/run/started):
# the services (SIGTERM, then wait), Redis and PostgreSQL. Keeps the data unless --purge
# is given, which then deletes the state folder (ATTAIN_STATE_DIR, default <repo>/.attain).
set -euo pipefail

caller_dir=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -h | --help) echo "usage: deploy/local/down.sh [--purge]"; exit 0 ;;
    *) echo "down: unknown argument: $arg (usage: deploy/local/down.sh [--purge])" >&2; exit 2 ;;
  esac
done

if [[ -n "${ATTAIN_STATE_DIR:-}" ]]; then
  STATE=$(cd "$caller_dir" && realpath -m -- "$ATTAIN_STATE_DIR")
else
  STATE=$ROOT/.attain
fi
RUN=$STATE/run
MANIFEST=$RUN/started

log() { printf 'down: %s\n' "$*"; }
is_root() { [[ $(id -u) -eq 0 ]]; }

# pid_of PIDFILE NAME: prints the pid in PIDFILE if it is a live process whose command line
# mentions NAME (so a stale pid file never makes us signal an unrelated process).
pid_of() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(head -n1 "$1")
  [[ "$pid" =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$2" || return 1
  echo "$pid"
}

# stop_pid PIDFILE NAME LABEL: SIGTERM, wait up to 20 s, then SIGKILL.
stop_pid() {
  local pid i
  if ! pid=$(pid_of "$1" "$2"); then
    log "$3 is not running"
    rm -f "$1"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    [[ -e /proc/$pid ]] || break
    sleep 0.1
  done
  if [[ -e /proc/$pid ]]; then
    log "$3 (pid $pid) ignored SIGTERM for 20 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
  log "stopped $3"
}

pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  if [[ -n "$d" && -x "$d/pg_ctl" ]]; then echo "$d"; return; fi
  command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)"
}

as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

stop_postgres() {
  local data bin
  # Through the link, if any: postgres may not be able to traverse the state folder.
  data=$(readlink -f "$STATE/pg")/data
  bin=$(pg_bindir) || { log "pg_ctl not found: cannot stop PostgreSQL in $data" >&2; return 1; }
  if [[ ! -f "$data/postmaster.pid" ]] || ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL is not running"
    return 0
  fi
  as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
  log "stopped PostgreSQL"
}

status=0
if [[ -s "$MANIFEST" ]]; then
  # Stop in the reverse order of starting: services first, then Redis, then PostgreSQL.
  mapfile -t lines < <(grep -v '^[[:space:]]*$' "$MANIFEST" || true)
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    read -r kind name <<<"${lines[i]}"
    case "$kind" in
      service) stop_pid "$RUN/$name.pid" "attain-$name" "$name" || status=1 ;;
      redis) stop_pid "$RUN/redis.pid" redis-server "Redis" || status=1 ;;
      postgres) stop_postgres || status=1 ;;
      *) log "unknown entry in $MANIFEST: ${lines[i]}" >&2 ;;
    esac
  done
  if [[ $status -eq 0 ]]; then rm -f "$MANIFEST"; fi
else
  log "nothing recorded as running in $STATE"
fi

if [[ $purge -eq 1 ]]; then
  if [[ $status -ne 0 ]]; then
    echo "down: something did not stop: not deleting $STATE" >&2
    exit 1
  fi
  if [[ -d "$STATE" ]]; then
    # Guard against a mistyped ATTAIN_STATE_DIR: only delete a folder up.sh made.
    if [[ "$STATE" == / || "$STATE" == "$ROOT" || "$STATE" == "${HOME:-}" ]] ||
      [[ ! -d "$STATE/run" && ! -f "$STATE/jwt.key" && ! -d "$STATE/logs" ]]; then
      echo "down: $STATE does not look like an Attain state folder: not deleting it" >&2
      exit 1
    fi
    # up.sh keeps the cluster outside the state folder when postgres cannot reach it.
    if [[ -L "$STATE/pg" ]]; then
      real=$(readlink -f "$STATE/pg")
      if [[ "$(basename "$real")" == attain-* ]]; then rm -rf -- "$real"; fi
    fi
    rm -rf -- "$STATE"
    log "deleted $STATE"
  fi
fi
exit "$status"
