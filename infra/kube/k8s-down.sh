#!/usr/bin/env bash
# Stops the cluster k8s-up.sh started, by the PIDs it recorded (SIGTERM, then up to 20 s each, then
# SIGKILL), kubelet first so no pod is restarted; then removes the pods' containers from the
# Docker engine, unmounts the kubelet's volumes and removes the KUBE-* iptables chains. The Docker
# engine itself, the images and the cached binaries stay. Prints one line per process. Idempotent.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
W=${HLS_K8S_DIR:-/var/lib/hls-k8s}
[ -d "$W" ] || { echo "no cluster state in $W"; exit 0; }
for n in kubelet kube-proxy scheduler controller-manager apiserver etcd svc-dns dnsmasq; do
  [ -f "$W/$n.pid" ] || continue
  pid=$(cat "$W/$n.pid")
  # A PID file left by a run that never got here may name a PID reused since: only a process
  # whose command line names the state directory is ours.
  if ! kill -0 "$pid" 2>/dev/null || ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$W"; then
    echo "$n ($pid) was not running"; rm -f "$W/$n.pid"; continue
  fi
  kill -TERM "$pid"
  for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "$n ($pid) killed after 20 s"; else echo "$n ($pid) stopped"; fi
  rm -f "$W/$n.pid"
done
# dockershim labels every container it creates (sandboxes and app containers).
ids=$(docker ps -aq --filter label=io.kubernetes.docker.type 2>/dev/null || true)
if [ -n "$ids" ]; then
  docker rm -f $ids >/dev/null && echo "removed $(echo "$ids" | wc -w) pod container(s)"
fi
# Secret and emptyDir volumes are mounts under the kubelet's root: unmount them before the next
# k8s-up.sh deletes that directory.
grep -o " $W/kubelet[^ ]*" /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
# kube-proxy's and the kubelet's iptables chains (all named KUBE-*): the jumps into them first,
# then the chains. (kube-proxy --cleanup stops at the ipset of its IPVS mode, not installed here.)
removed=0
for table in filter nat mangle; do
  iptables -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | sed 's/^-A/-D/' | while read -r rule; do
    eval "iptables -t $table $rule" 2>/dev/null
  done
  for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Za-z0-9-]*\)$/\1/p'); do
    iptables -t "$table" -F "$chain" 2>/dev/null
  done
  for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(KUBE-[A-Za-z0-9-]*\)$/\1/p'); do
    iptables -t "$table" -X "$chain" 2>/dev/null && removed=$((removed + 1))
  done
done
echo "removed $removed KUBE-* iptables chain(s)"
exit 0
