#!/usr/bin/env bash
# Brings up a single-node Kubernetes v1.20.2 on this machine: etcd (Debian's), kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet on the local Docker engine (dockershim) and
# kube-proxy (iptables), from the binaries k8s-build.sh builds from Debian's source package (and
# caches outside the clone), plus dnsmasq answering <service>.<namespace>.svc.cluster.local for
# the pods. A fresh cluster each time (new etcd data, no pods); the certificates are kept.
# Run as root. Stop it with k8s-down.sh, which stops every process started here by its recorded PID.
#
#   infra/kube/k8s-up.sh        # prints KUBECONFIG=<file> and the PIDs; node Ready ~15 s (warm)
#
# Environment: HLS_K8S_DIR (/var/lib/hls-k8s) state, logs, PIDs and kubeconfig;
# HLS_K8S_CACHE (~/.cache/hls-pipeline/k8s-1.20.2) binaries (see k8s-build.sh).
# Needs: a Docker engine (started here through infra/docker/docker-up.sh when none answers), the
# br_netfilter sysctl, ports 6443, 2379-2380, 10248-10259 free on 127.0.0.1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
W=${HLS_K8S_DIR:-/var/lib/hls-k8s}
log() { echo "[k8s-up] $*" >&2; }
t0=$(date +%s%N)

if [ -f "$W/apiserver.pid" ] && kill -0 "$(cat "$W/apiserver.pid")" 2>/dev/null; then
  echo "a cluster is already running from $W (kube-apiserver pid $(cat "$W/apiserver.pid")): run k8s-down.sh first" >&2
  exit 1
fi

BIN=$("$HERE/k8s-build.sh" | tail -1)
CACHE=$(dirname "$BIN")
"$ROOT/infra/docker/docker-up.sh" >&2

mkdir -p "$W/logs" "$W/pki"
# A fresh cluster: no state from an earlier run. A run cut off before its k8s-down.sh (a killed
# test JVM, a machine stopped mid-run) leaves processes, pod containers and mounts behind (the
# kubelet bind-mounts its own root onto itself, and every Secret volume is a tmpfs under it):
# k8s-down.sh is idempotent and clears them, so the directory below can go.
"$HERE/k8s-down.sh" | sed 's/^/[k8s-up] leftover: /' >&2
rm -rf "$W/etcd-data" "$W/kubelet" "$W/svc-hosts"*
P=$W/pki KC=$W/admin.kubeconfig
NODE_IP=$(ip -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1)
[ -n "$NODE_IP" ] || { echo "docker0 has no IPv4 address" >&2; exit 1; }
DOCKER_CIDR=$(docker network inspect bridge -f '{{(index .IPAM.Config 0).Subnet}}')
SERVICE_CIDR=10.96.0.0/16 API_SERVICE_IP=10.96.0.1 NODE=hls-node

if [ ! -f "$P/admin.key" ] || ! grep -q "$NODE_IP" "$P/apiserver.san" 2>/dev/null; then
  log "certificates (CA, apiserver for $NODE_IP, admin, service-account key)"
  (cd "$P"
   openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=hls-k8s-ca 2>/dev/null
   cert() { # cert <name> <subject> <extensions>
     openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
     printf '%b' "$3" > "$1.ext"
     openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 -extfile "$1.ext" 2>/dev/null; }
   san="subjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:$API_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
   cert apiserver /CN=kube-apiserver "$san"; echo "$san" > apiserver.san
   cert admin "/O=system:masters/CN=admin" "extendedKeyUsage=clientAuth\n"
   openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null)
fi
cat > "$KC" <<KCFG
apiVersion: v1
kind: Config
clusters: [{name: hls, cluster: {server: "https://127.0.0.1:6443", certificate-authority: $P/ca.crt}}]
users: [{name: admin, user: {client-certificate: $P/admin.crt, client-key: $P/admin.key}}]
contexts: [{name: hls, context: {cluster: hls, user: admin}}]
current-context: hls
KCFG
chmod 600 "$KC"
K="$BIN/kubectl --kubeconfig=$KC"

# Pods on the docker bridge reach Services through kube-proxy's iptables rules only when bridged
# traffic passes iptables.
modprobe br_netfilter 2>/dev/null || true
echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables

# start <name> <command...>: in the background, its PID in $W/<name>.pid, output in logs/<name>.log
start() { local n=$1; shift; nohup "$@" > "$W/logs/$n.log" 2>&1 < /dev/null & echo $! > "$W/$n.pid"; }
wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq $((secs * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$what not up within $secs s; logs in $W/logs" >&2; return 1
}

start etcd etcd --name hls --data-dir "$W/etcd-data" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster hls=http://127.0.0.1:2380
start apiserver "$BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
  --bind-address=0.0.0.0 --advertise-address="$NODE_IP" --secure-port=6443 --insecure-port=0 \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" --client-ca-file="$P/ca.crt" \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=$SERVICE_CIDR --authorization-mode=Node,RBAC --allow-privileged=true \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$P/admin.crt" --kubelet-client-key="$P/admin.key"
wait_for kube-apiserver 120 $K get --raw /readyz
start controller-manager "$BIN/kube-controller-manager" --kubeconfig="$KC" \
  --authentication-kubeconfig="$KC" --authorization-kubeconfig="$KC" --bind-address=127.0.0.1 --port=0 \
  --leader-elect=false --service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" \
  --use-service-account-credentials=true --cluster-signing-cert-file="$P/ca.crt" \
  --cluster-signing-key-file="$P/ca.key" --service-cluster-ip-range=$SERVICE_CIDR
start scheduler "$BIN/kube-scheduler" --kubeconfig="$KC" --authentication-kubeconfig="$KC" \
  --authorization-kubeconfig="$KC" --bind-address=127.0.0.1 --port=0 --leader-elect=false

# The pod sandbox image, built from the pause.c of the Kubernetes sources (no registry).
PAUSE=hls-pipeline/pause:3.2
if ! docker image inspect "$PAUSE" >/dev/null 2>&1; then
  log "building $PAUSE"
  d=$(mktemp -d)
  gcc -Os -static -o "$d/pause" "$CACHE/pause.c"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' > "$d/Dockerfile"
  docker build -q -t "$PAUSE" "$d" >/dev/null 2>&1
  rm -rf "$d"
fi

# Cluster DNS, minimal: dnsmasq on the node's bridge address answers the Services' names from a
# hosts file that a loop refreshes from the API every 2 s (no upstream: pods resolve cluster names
# only).
touch "$W/svc-hosts"
dnsmasq --no-resolv --no-hosts --bind-interfaces --listen-address="$NODE_IP" --addn-hosts="$W/svc-hosts" \
  --local=/cluster.local/ --pid-file="$W/dnsmasq.pid" --log-facility="$W/logs/dnsmasq.log"
cat > "$W/svc-dns.sh" <<DNS
#!/bin/bash
# Rewrites $W/svc-hosts from the API's Services and makes dnsmasq reread it when it changed.
while sleep 2; do
  $K get svc -A -o jsonpath='{range .items[*]}{.spec.clusterIP} {.metadata.name}.{.metadata.namespace}.svc.cluster.local{"\n"}{end}' \
    2>/dev/null | grep -v '^None' > "$W/svc-hosts.new" || continue
  if ! cmp -s "$W/svc-hosts.new" "$W/svc-hosts"; then mv "$W/svc-hosts.new" "$W/svc-hosts"; kill -HUP \$(cat "$W/dnsmasq.pid"); fi
done
DNS
chmod +x "$W/svc-dns.sh"
start svc-dns "$W/svc-dns.sh"

start kubelet "$BIN/kubelet" --kubeconfig="$KC" --container-runtime=docker \
  --pod-infra-container-image="$PAUSE" --cgroup-driver=cgroupfs --fail-swap-on=false \
  --hostname-override=$NODE --node-ip="$NODE_IP" --root-dir="$W/kubelet" --cert-dir="$W/kubelet/pki" \
  --healthz-bind-address=127.0.0.1 --cluster-domain=cluster.local --cluster-dns="$NODE_IP" \
  --image-gc-high-threshold=100 --eviction-hard='memory.available<100Mi,nodefs.available<1%,imagefs.available<1%'
start kube-proxy "$BIN/kube-proxy" --kubeconfig="$KC" --proxy-mode=iptables --hostname-override=$NODE \
  --cluster-cidr="$DOCKER_CIDR" --conntrack-max-per-core=0 \
  --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256
node_ready() { $K get node $NODE -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -q True; }
wait_for "node $NODE Ready" 120 node_ready
# Pods start only once the default ServiceAccount exists in their namespace.
wait_for "default ServiceAccount" 60 $K get serviceaccount default -n default

ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf '[k8s-up] cluster up in %d.%03d s: node %s (%s), Kubernetes %s\n' $((ms / 1000)) $((ms % 1000)) $NODE "$NODE_IP" "$($K version -o json 2>/dev/null | sed -n 's/.*"gitVersion": "\(v1\.20[^"]*\)".*/\1/p' | tail -1)" >&2
echo "PIDs: $(for f in etcd apiserver controller-manager scheduler kubelet kube-proxy dnsmasq svc-dns; do printf '%s=%s ' $f "$(cat "$W/$f.pid")"; done)"
echo "BIN=$BIN"
echo "KUBECONFIG=$KC"
