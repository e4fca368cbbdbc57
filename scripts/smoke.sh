#!/usr/bin/env bash
# The lifecycle a CI pipeline runs against arcext with nothing but curl: register a cluster, install Flux, poll the
# Azure-AsyncOperation URL to a terminal state, PATCH a setting, delete the extension and confirm it is gone.
#
#   scripts/smoke.sh [BASE_URL]        BASE_URL, else ARCEXT_URL, else http://127.0.0.1:8080
#
# Environment: ARCEXT_CA (CA certificate for an https BASE_URL), ARCEXT_TOKEN (bearer token, for AUTH_MODE=jwt),
# SMOKE_TIMEOUT_SECONDS (per wait, default 120), SMOKE_SUBSCRIPTION (default: a new GUID, so runs never collide).
# Every wait is bounded, and every unexpected answer stops the script with its status and body. Exit 0: all passed.
set -euo pipefail

BASE=${1:-${ARCEXT_URL:-http://127.0.0.1:8080}}
BASE=${BASE%/}
TIMEOUT=${SMOKE_TIMEOUT_SECONDS:-120}
SUB=${SMOKE_SUBSCRIPTION:-$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen | tr 'A-Z' 'a-z')}
CLUSTER="$BASE/subscriptions/$SUB/resourceGroups/smoke/providers/Microsoft.Kubernetes/connectedClusters/smoke-cluster"
EXT="$CLUSTER/providers/Microsoft.KubernetesConfiguration/extensions/flux"
API=api-version=2023-05-01

CURL=(curl --silent --show-error --max-time 30)
[ -n "${ARCEXT_CA:-}" ] && CURL+=(--cacert "$ARCEXT_CA")
[ -n "${ARCEXT_TOKEN:-}" ] && CURL+=(-H "Authorization: Bearer $ARCEXT_TOKEN")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}

# request METHOD URL [BODY]: sets STATUS, BODY (the answer) and HEADERS (a file); a transport error fails at once.
request() {
  local method=$1 url=$2 data=${3:-}
  local args=(-X "$method" -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}')
  [ -n "$data" ] && args+=(-H 'content-type: application/json' --data "$data")
  STATUS=$("${CURL[@]}" "${args[@]}" "$url") || fail "$method $url: curl could not complete the request (is arcext running at $BASE? for https, is ARCEXT_CA right?)"
  BODY=$(cat "$WORK/body")
}

expect_status() {
  local what=$1
  shift
  for wanted in "$@"; do [ "$STATUS" = "$wanted" ] && return 0; done
  fail "$what: expected HTTP $*, got $STATUS: $BODY"
}

header() {
  tr -d '\r' <"$WORK/headers" | awk -v name="$(echo "$1" | tr 'A-Z' 'a-z')" 'tolower($1) == name ":" { print $2 }' | tail -n 1
}

# field NAME: the first string value of "NAME" in BODY (enough for the flat fields this script reads).
field() {
  printf '%s' "$BODY" | grep -o "\"$1\" *: *\"[^\"]*\"" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/' || true
}

# wait_for_operation WHAT: polls the operation named by the last answer's Azure-AsyncOperation header.
wait_for_operation() {
  local what=$1 url deadline
  url=$(header azure-asyncoperation)
  [ -n "$url" ] || fail "$what: the answer carried no Azure-AsyncOperation header"
  deadline=$((SECONDS + TIMEOUT))
  while :; do
    request GET "$url"
    expect_status "$what: polling $url" 200
    case "$(field status)" in
      Succeeded) echo "smoke: $what succeeded"; return 0 ;;
      Failed | Canceled) fail "$what ended $(field status): $BODY" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: still $(field status) after ${TIMEOUT} s: $BODY"
    sleep "$(header retry-after | grep -E '^[0-9]+$' || echo 1)"
  done
}

echo "smoke: $BASE, subscription $SUB"
deadline=$((SECONDS + TIMEOUT))
until "${CURL[@]}" --fail -o /dev/null "$BASE/readyz" 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || fail "$BASE/readyz did not answer 200 within ${TIMEOUT} s"
  sleep 1
done

request PUT "$CLUSTER?api-version=2024-01-01" '{"location": "eastus", "properties": {"distribution": "k3s", "kubernetesVersion": "1.30.4", "totalNodeCount": 3, "miscellaneousProperties": {"architecture": "amd64"}}}'
expect_status "register the cluster" 200 201
echo "smoke: cluster registered"

request PUT "$EXT?$API" '{"properties": {"extensionType": "microsoft.flux", "configurationSettings": {"multiTenancy.enforce": "false"}}}'
expect_status "install Flux" 201 200
wait_for_operation "install Flux"
request GET "$EXT?$API"
expect_status "read the extension" 200
[ "$(field provisioningState)" = Succeeded ] || fail "the installed extension reads provisioningState $(field provisioningState): $BODY"
[ -n "$(field currentVersion)" ] || fail "the installed extension has no currentVersion: $BODY"
echo "smoke: Flux $(field currentVersion) installed"

request PATCH "$EXT?$API" '{"properties": {"configurationSettings": {"multiTenancy.enforce": "true"}}}'
expect_status "change a setting" 202 200
wait_for_operation "change a setting"

request DELETE "$EXT?$API"
expect_status "delete the extension" 202 200 204
[ "$STATUS" = 202 ] && wait_for_operation "delete the extension"
request GET "$EXT?$API"
expect_status "read the deleted extension" 404
echo "smoke: extension deleted"

request DELETE "$CLUSTER?api-version=2024-01-01"
expect_status "delete the cluster" 200 202 204
echo "smoke: PASSED"
