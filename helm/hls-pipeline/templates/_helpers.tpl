{{/* Names and labels. */}}
{{- define "hls.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hls.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hls.labels" -}}
app.kubernetes.io/name: {{ include "hls.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "svc" "edge"). */}}
{{- define "hls.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hls.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc }}
{{- end -}}

{{- define "hls.secretName" -}}
{{- printf "%s-secrets" (include "hls.fullname" .) -}}
{{- end -}}

{{/* True (non-empty) when some S3 endpoint takes its keys from its own Secret. */}}
{{- define "hls.s3.composed" -}}
{{- if not .Values.s3.existingSecret -}}
{{- range .Values.s3.endpoints -}}
{{- if and .credentialsSecret .credentialsSecret.name -}}yes{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Checks one endpoint's fields; call with the endpoint. */}}
{{- define "hls.s3.checkEndpoint" -}}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" (toString .id)) -}}
{{- fail (printf "s3.endpoints: id %q must be letters, digits, '-' or '_'" (toString .id)) -}}
{{- end -}}
{{- if not (regexMatch "^https?://[^,;=]+$" (toString .url)) -}}
{{- fail (printf "s3.endpoints[%s].url must be an http(s) URL without ',', ';' or '='" .id) -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9][a-z0-9.-]{1,62}$" (toString .bucket)) -}}
{{- fail (printf "s3.endpoints[%s].bucket is not a valid bucket name" .id) -}}
{{- end -}}
{{- end -}}

{{/*
S3_ENDPOINTS in the storage spec format with inline keys: only ever rendered into a Secret.
*/}}
{{- define "hls.s3.inlineSpec" -}}
{{- $parts := list -}}
{{- range .Values.s3.endpoints -}}
{{- include "hls.s3.checkEndpoint" . -}}
{{- if or (not .accessKey) (not .secretKey) -}}
{{- fail (printf "s3.endpoints[%s]: set accessKey and secretKey, or credentialsSecret.name, or s3.existingSecret" .id) -}}
{{- end -}}
{{- if or (regexMatch "[,;]" (toString .accessKey)) (regexMatch "[,;]" (toString .secretKey)) -}}
{{- fail (printf "s3.endpoints[%s]: keys must not contain ',' or ';' (the S3_ENDPOINTS separators)" .id) -}}
{{- end -}}
{{- $p := printf "id=%s,url=%s,bucket=%s" .id .url .bucket -}}
{{- if .region -}}{{- $p = printf "%s,region=%s" $p .region -}}{{- end -}}
{{- $p = printf "%s,accessKey=%s,secretKey=%s" $p .accessKey .secretKey -}}
{{- $parts = append $parts $p -}}
{{- end -}}
{{- join ";" $parts -}}
{{- end -}}

{{/*
Env entries giving S3_ENDPOINTS to a container (segmenter, catalog, edge). Three modes:
existingSecret; inline keys (the whole spec in the chart's Secret); credentialsSecret on some
endpoint (each endpoint's keys as Secret-backed variables, the spec assembled by Kubernetes'
$(VAR) expansion, so no key appears in the pod spec).
*/}}
{{- define "hls.s3.env" -}}
{{- if not .Values.s3.endpoints -}}{{- if not .Values.s3.existingSecret -}}
{{- fail "s3: set s3.endpoints (at least one) or s3.existingSecret" -}}
{{- end -}}{{- end -}}
{{- if .Values.s3.existingSecret }}
- name: S3_ENDPOINTS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.s3.existingSecret }}
      key: S3_ENDPOINTS
{{- else if include "hls.s3.composed" . }}
{{- $root := . -}}
{{- $parts := list -}}
{{- range $i, $e := .Values.s3.endpoints }}
{{- $_ := include "hls.s3.checkEndpoint" $e }}
{{- $ak := printf "HLS_S3_%d_ACCESS_KEY" $i }}
{{- $sk := printf "HLS_S3_%d_SECRET_KEY" $i }}
{{- if and $e.credentialsSecret $e.credentialsSecret.name }}
- name: {{ $ak }}
  valueFrom:
    secretKeyRef:
      name: {{ $e.credentialsSecret.name }}
      key: {{ $e.credentialsSecret.accessKeyKey | default "AWS_ACCESS_KEY_ID" }}
- name: {{ $sk }}
  valueFrom:
    secretKeyRef:
      name: {{ $e.credentialsSecret.name }}
      key: {{ $e.credentialsSecret.secretKeyKey | default "AWS_SECRET_ACCESS_KEY" }}
{{- else }}
{{- if or (not $e.accessKey) (not $e.secretKey) }}
{{- fail (printf "s3.endpoints[%s]: set accessKey and secretKey, or credentialsSecret.name" $e.id) }}
{{- end }}
- name: {{ $ak }}
  valueFrom:
    secretKeyRef:
      name: {{ include "hls.secretName" $root }}
      key: {{ printf "s3-%d-access-key" $i }}
- name: {{ $sk }}
  valueFrom:
    secretKeyRef:
      name: {{ include "hls.secretName" $root }}
      key: {{ printf "s3-%d-secret-key" $i }}
{{- end }}
{{- $p := printf "id=%s,url=%s,bucket=%s" $e.id $e.url $e.bucket }}
{{- if $e.region }}{{ $p = printf "%s,region=%s" $p $e.region }}{{ end }}
{{- $parts = append $parts (printf "%s,accessKey=$(%s),secretKey=$(%s)" $p $ak $sk) }}
{{- end }}
- name: S3_ENDPOINTS
  value: {{ join ";" $parts | quote }}
{{- else }}
- name: S3_ENDPOINTS
  valueFrom:
    secretKeyRef:
      name: {{ include "hls.secretName" . }}
      key: S3_ENDPOINTS
{{- end }}
- name: S3_REPLICATION
  value: {{ .Values.s3.replication | quote }}
{{- end -}}

{{/* The stream-key secret reference (ingest). */}}
{{- define "hls.streamKey.env" -}}
- name: STREAM_KEY_SECRET
  valueFrom:
    secretKeyRef:
{{- if .Values.streamKey.existingSecret }}
      name: {{ .Values.streamKey.existingSecret }}
      key: {{ .Values.streamKey.existingSecretKey }}
{{- else }}
      name: {{ include "hls.secretName" . }}
      key: STREAM_KEY_SECRET
{{- end }}
{{- end -}}

{{/* The TURN secret reference (ingest's WHIP_TURN_SECRET, coturn's TURN_SECRET). */}}
{{- define "hls.turn.secretRef" -}}
valueFrom:
  secretKeyRef:
    name: {{ include "hls.secretName" . }}
    key: TURN_SECRET
{{- end -}}

{{/* The turn: URL publishers get (WHIP_ICE_SERVERS). */}}
{{- define "hls.turn.url" -}}
{{- printf "turn:%s:%v?transport=udp" (required "turn.publicAddress is required with turn.enabled: the address publishers reach the TURN Service at" .Values.turn.publicAddress) .Values.turn.port -}}
{{- end -}}

{{/* ingest's WHIP settings (ingest.whip.enabled). */}}
{{- define "hls.whip.env" -}}
{{- $w := .Values.ingest.whip -}}
{{- $servers := concat (list) $w.iceServers -}}
{{- if .Values.turn.enabled }}{{ $servers = append $servers (include "hls.turn.url" .) }}{{ end -}}
- name: WHIP_UDP_BIND
  value: "0.0.0.0"
- name: WHIP_UDP_PORT
  value: {{ $w.port | quote }}
- name: HOST_IP
  valueFrom:
    fieldRef: { fieldPath: status.hostIP }
- name: POD_IP
  valueFrom:
    fieldRef: { fieldPath: status.podIP }
# ICE host candidates: the node (its port reaches this pod), and with TURN the pod
# itself, which is where coturn relays to.
- name: WHIP_ADVERTISED_ADDRESSES
  value: {{ concat (ternary (list "$(HOST_IP)") $w.advertisedAddresses (empty $w.advertisedAddresses)) (ternary (list "$(POD_IP)") (list) .Values.turn.enabled) | join "," | quote }}
{{- if $servers }}
- name: WHIP_ICE_SERVERS
  value: {{ join "," $servers | quote }}
{{- end }}
{{- if .Values.turn.enabled }}
- name: WHIP_TURN_SECRET
  {{- include "hls.turn.secretRef" . | nindent 2 }}
- name: WHIP_TURN_CREDENTIAL_TTL
  value: {{ .Values.turn.credentialTtl | quote }}
{{- end }}
{{- end -}}

{{/* The chart's own env of one service; call with (dict "root" $ "svc" "edge"). */}}
{{- define "hls.serviceEnv" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .svc -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required" $root.Values.kafka.bootstrapServers | quote }}
- name: HTTP_BIND
  value: "0.0.0.0"
- name: HTTP_PORT
  value: {{ $v.port | quote }}
{{- if ne .svc "segmenter" }}
- name: ADMIN_PORT
  value: {{ $v.adminPort | quote }}
{{- end }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ $root.Values.kafka.replicationFactor | quote }}
{{- if ne .svc "catalog" }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ $root.Values.kafka.topicPartitions | quote }}
{{- end }}
- name: JAVA_OPTS
  value: {{ $root.Values.javaOpts | quote }}
{{- if eq .svc "ingest" }}
{{ include "hls.streamKey.env" $root }}
- name: RTMP_BIND
  value: "0.0.0.0"
- name: RTMP_PORT
  value: {{ $v.rtmp.port | quote }}
{{- if $v.whip.enabled }}
{{ include "hls.whip.env" $root }}
{{- end }}
{{- else if eq .svc "segmenter" }}
{{ include "hls.s3.env" $root }}
{{- else if eq .svc "catalog" }}
- name: CASSANDRA_CONTACT_POINTS
  value: {{ required "cassandra.contactPoints is required" $root.Values.cassandra.contactPoints | join "," | quote }}
- name: CASSANDRA_LOCAL_DC
  value: {{ $root.Values.cassandra.localDc | quote }}
- name: CASSANDRA_KEYSPACE
  value: {{ $root.Values.cassandra.keyspace | quote }}
- name: CASSANDRA_REPLICATION_FACTOR
  value: {{ $root.Values.cassandra.replicationFactor | quote }}
- name: CATALOG_STATE_DIR
  value: /var/lib/hls-catalog/streams
{{- /* Retention: old LL-HLS parts (and expired recordings when retention.maxAge is set). */}}
{{ include "hls.s3.env" $root }}
{{- else if eq .svc "edge" }}
- name: CATALOG_URL
  value: {{ $v.catalogUrl | default (printf "http://%s-catalog:%v" (include "hls.fullname" $root) $root.Values.catalog.service.port) | quote }}
{{ include "hls.s3.env" $root }}
{{- end }}
{{- range $k, $val := $v.env }}
- name: {{ $k }}
  value: {{ $val | toString | quote }}
{{- end }}
{{- end -}}

{{/*
API versions that differ between the Kubernetes releases the chart supports (1.20 onwards). The
served API list decides on a cluster (an API can be switched off); the version guard keeps
`helm template --kube-version` honest, whose API list is Helm's built-in one whatever the version.
*/}}
{{- define "hls.pdb.apiVersion" -}}
{{- if and (.Capabilities.APIVersions.Has "policy/v1") (semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version) -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}

{{- define "hls.hpa.apiVersion" -}}
{{- if and (.Capabilities.APIVersions.Has "autoscaling/v2") (semverCompare ">=1.23-0" .Capabilities.KubeVersion.Version) -}}
autoscaling/v2
{{- else -}}
autoscaling/v2beta2
{{- end -}}
{{- end -}}

{{/* The image of one service; call with (dict "root" $ "svc" "edge"). */}}
{{- define "hls.image" -}}
{{- $img := .root.Values.image -}}
{{- printf "%s/%s:%s" $img.repository .svc (toString ($img.tag | default .root.Chart.AppVersion)) -}}
{{- end -}}

{{/* The pods' checksum/secrets annotation: a hash of what the release's Secret is made from (the
given values), not of the rendered Secret: its generated values (stream-key and TURN secrets left
empty) differ between the render at install, when lookup finds no Secret, and every later one, so a
hash of the Secret rolled every pod on the first upgrade even with nothing changed. */}}
{{- define "hls.secretsChecksum" -}}
{{- dict "streamKey" .Values.streamKey "turn" (pick .Values.turn "enabled" "secret") "s3" .Values.s3 | toJson | sha256sum -}}
{{- end -}}
