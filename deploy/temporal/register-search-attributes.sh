#!/bin/sh
# Registers careflow's custom search attributes on a Temporal namespace.
#
# Run by the one-shot `temporal-admin-tools` compose service (image
# temporalio/admin-tools, POSIX sh only), but usable against any cluster:
#
#   TEMPORAL_ADDRESS=frontend.example:7233 TEMPORAL_NAMESPACE=careflow \
#     sh deploy/temporal/register-search-attributes.sh
#
# Extra CLI flags (TLS, API key, ...) can be passed in TEMPORAL_CLI_FLAGS, e.g.
#   TEMPORAL_CLI_FLAGS="--tls --tls-cert-path /certs/client.pem --tls-key-path /certs/client.key"
#
# Idempotent: attributes that already exist are accepted ("already exists").
# Exits non-zero if, in the end, an attribute is still missing.
set -u

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
MAX_WAIT="${REGISTER_MAX_WAIT_SECONDS:-300}"
CLI_FLAGS="${TEMPORAL_CLI_FLAGS:-}"

# name:type pairs
ATTRIBUTES="CaseType:Keyword County:Keyword Stage:Keyword EscalationLevel:Int Overdue:Bool"

log() { echo "[register-search-attributes] $*"; }

# temporal <args...> with the common connection flags (CLI_FLAGS intentionally unquoted).
tctl_() {
  # shellcheck disable=SC2086
  temporal "$@" --address "$ADDRESS" $CLI_FLAGS
}

wait_for() {
  what=$1
  shift
  waited=0
  until "$@" >/dev/null 2>&1; do
    if [ "$waited" -ge "$MAX_WAIT" ]; then
      log "timed out after ${MAX_WAIT}s waiting for $what"
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  log "$what is ready"
}

wait_for "Temporal frontend at $ADDRESS" tctl_ operator cluster health
# auto-setup creates the default namespace shortly after the frontend comes up.
wait_for "namespace $NAMESPACE" tctl_ operator namespace describe --namespace "$NAMESPACE"

# 1) Fast path: everything in one call (fresh cluster).
set -- operator search-attribute create --namespace "$NAMESPACE"
for pair in $ATTRIBUTES; do
  set -- "$@" --name "${pair%%:*}" --type "${pair#*:}"
done
if out=$(tctl_ "$@" 2>&1); then
  log "registered: $ATTRIBUTES"
else
  # 2) Slow path: one by one, tolerating the ones that already exist.
  log "batch registration did not succeed ($out); registering one by one"
  for pair in $ATTRIBUTES; do
    name=${pair%%:*}
    type=${pair#*:}
    attempt=1
    while :; do
      if out=$(tctl_ operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" 2>&1); then
        log "registered $name ($type)"
        break
      fi
      if printf '%s' "$out" | grep -qi 'already exist'; then
        log "$name already exists"
        break
      fi
      if [ "$attempt" -ge 10 ]; then
        log "could not register $name ($type): $out"
        exit 1
      fi
      attempt=$((attempt + 1))
      sleep 3
    done
  done
fi

# 3) Verify.
if ! list=$(tctl_ operator search-attribute list --namespace "$NAMESPACE" 2>&1); then
  log "could not list search attributes: $list"
  exit 1
fi
missing=0
for pair in $ATTRIBUTES; do
  name=${pair%%:*}
  type=${pair#*:}
  line=$(printf '%s\n' "$list" | grep -E "(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|\$)" || true)
  if [ -z "$line" ]; then
    log "MISSING: $name"
    missing=1
  elif ! printf '%s' "$line" | grep -qi "$type"; then
    log "WARNING: $name exists but does not look like type $type: $line"
  fi
done
[ "$missing" -eq 0 ] || exit 1
log "search attributes present on namespace $NAMESPACE"
