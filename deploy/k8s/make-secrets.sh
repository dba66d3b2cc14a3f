#!/usr/bin/env bash
# Makes the files kustomization.yaml turns into Secrets, in deploy/k8s/secrets/
# (or $SECRETS_DIR): the JWT key, the PostgreSQL password and URL, a CA and one
# certificate per service. Creates only what is missing, so running it again
# keeps existing keys; delete a file (or the folder) to make it anew.
#
#   deploy/k8s/make-secrets.sh                  everything the manifests need
#   deploy/k8s/make-secrets.sh client NAME      a client certificate for NAME (an
#                                               operator's attainctl, a CRM connector,
#                                               a mobile backend): mutual TLS wants one
#
# Environment: CLUSTER_DOMAIN (default cluster.local), NAMESPACE (default attain),
# EXTRA_SANS (added to every service certificate, e.g. "DNS:attain.example.com"),
# DAYS (validity of the service certificates, default 825).
# Needs openssl. The CA's key (secrets/ca.key) never goes into the cluster: keep it
# offline once the certificates are made.
set -euo pipefail

DIR=${SECRETS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets}
DOMAIN=${CLUSTER_DOMAIN:-cluster.local}
NS=${NAMESPACE:-attain}
DAYS=${DAYS:-825}
SERVICES=(target ingest eval review)

mkdir -p "$DIR"
cd "$DIR"
umask 077

log() { printf 'make-secrets: %s\n' "$*"; }

make_ca() {
  [[ -s ca.crt && -s ca.key ]] && return
  log "CA: ca.crt, ca.key"
  openssl req -x509 -new -nodes -sha256 -days 3650 \
    -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout ca.key -out ca.crt -subj "/O=Attain/CN=Attain CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# issue NAME SANS: NAME.key and NAME.crt signed by the CA, usable as server and
# as client certificate.
issue() {
  local name=$1 sans=$2
  [[ -s $name.crt && -s $name.key ]] && return
  log "certificate $name.crt (${sans})"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$name.key" -out "$name.csr" -subj "/O=Attain/CN=$name" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=$sans" >"$name.ext"
  openssl x509 -req -sha256 -days "$DAYS" -in "$name.csr" -CA ca.crt -CAkey ca.key \
    -CAcreateserial -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

# service_sans SERVICE: the headless Service's names (what the other services
# dial: dns:///attain-S.NS.svc.DOMAIN:PORT), the -api Service's names, and the
# loopback names the probes use.
service_sans() {
  local s=attain-$1 n out=""
  for n in "$s" "$s-api"; do
    out+="DNS:$n,DNS:$n.$NS,DNS:$n.$NS.svc,DNS:$n.$NS.svc.$DOMAIN,"
  done
  out+="DNS:localhost,IP:127.0.0.1"
  [[ -n "${EXTRA_SANS:-}" ]] && out+=",$EXTRA_SANS"
  printf '%s' "$out"
}

if [[ "${1:-}" == client ]]; then
  [[ -n "${2:-}" ]] || { echo "usage: $0 client NAME" >&2; exit 2; }
  make_ca
  issue "client-$2" "DNS:$2"
  log "done: $DIR/client-$2.crt, client-$2.key (CA: ca.crt)"
  exit 0
fi

if [[ ! -s jwt.key ]]; then
  log "JWT key: jwt.key"
  openssl rand -base64 48 | tr -d '\n' >jwt.key
fi
if [[ ! -s pg-password ]]; then
  log "PostgreSQL password: pg-password"
  # Hex: nothing to escape in the URL below.
  openssl rand -hex 24 | tr -d '\n' >pg-password
fi
if [[ ! -s pg-url ]]; then
  log "PostgreSQL URL: pg-url"
  printf 'postgresql://attain:%s@attain-postgres.%s.svc.%s:5432/attain' \
    "$(cat pg-password)" "$NS" "$DOMAIN" >pg-url
fi
make_ca
for s in "${SERVICES[@]}"; do
  issue "$s" "$(service_sans "$s")"
done
log "done: $DIR"
