#!/bin/sh
# Compose's demo-seed one-shot: the demo catalog of `npm start` (demo-catalog.jsonl, one product
# a line), created through the gateway as the admin. A known sku answers 409, so a second run
# adds nothing. Needs only sh, sed and curl (the curlimages/curl image).
set -eu
GATEWAY="${GATEWAY_URL:-http://gateway:8080}"
CATALOG="${DEMO_CATALOG:-/seed/demo-catalog.jsonl}"
if [ "${SEED_DEMO_CATALOG:-true}" != "true" ]; then
  echo '{"seeded":false,"reason":"SEED_DEMO_CATALOG is not true"}'
  exit 0
fi
login=$(printf '{"email":"%s","password":"%s"}' "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
token=$(curl -fsS -X POST "$GATEWAY/api/v1/auth/login" -H 'content-type: application/json' -d "$login" |
  sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "demo-seed: admin login failed" >&2; exit 1; }
created=0
existing=0
while IFS= read -r product; do
  [ -n "$product" ] || continue
  status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$GATEWAY/api/v1/products" \
    -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$product")
  case "$status" in
    201) created=$((created + 1)) ;;
    409) existing=$((existing + 1)) ;;
    *) echo "demo-seed: $product answered $status" >&2; exit 1 ;;
  esac
done < "$CATALOG"
echo "{\"seeded\":true,\"created\":$created,\"existing\":$existing}"
