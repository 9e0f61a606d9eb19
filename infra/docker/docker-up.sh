#!/bin/bash
# Starts a Docker engine from Debian's docker.io when none answers, and waits until it does.
# Idempotent; run as root. Prints one line: "dockerd <version> started|running [pid <pid>]".
#
#   infra/docker/docker-up.sh            # uses /var/lib/docker and /var/run/docker.sock
#   HLS_DOCKER_DIR=/some/dir infra/docker/docker-up.sh   # where the runc wrapper, log and pid live
#
# Images live in dockerd's data root (/var/lib/docker), outside any clone, so a later start finds
# the images an earlier run built.
set -euo pipefail
W=${HLS_DOCKER_DIR:-/var/lib/hls-docker}
if docker info >/dev/null 2>&1; then
  echo "dockerd $(docker info --format '{{.ServerVersion}}') running"
  exit 0
fi
command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io" >&2; exit 1; }
mkdir -p "$W"
# Some VMs (this kind included) lack CAP_SYS_RESOURCE: runc then fails to start a container that asks
# for a negative oom_score_adj. The wrapper clamps it to 0 in the bundle's config.json.
cat > "$W/runc-clamp" <<'WRAP'
#!/bin/bash
a=("$@"); b=""
for ((i=0;i<${#a[@]};i++)); do
  case "${a[$i]}" in --bundle|-b) b="${a[$((i+1))]}";; --bundle=*) b="${a[$i]#--bundle=}";; esac
done
if [ -n "$b" ] && jq -e '(.process.oomScoreAdj // 0) < 0' "$b/config.json" >/dev/null 2>&1; then
  jq -c '.process.oomScoreAdj = 0' "$b/config.json" > "$b/config.json.tmp" && mv "$b/config.json.tmp" "$b/config.json"
fi
exec /usr/sbin/runc "$@"
WRAP
chmod +x "$W/runc-clamp"
# An engine started here finds the containers of a test run that was cut off (a killed JVM, a
# machine stopped mid-run) as that run left them, and brings back those with a restart policy (the
# compose file's is unless-stopped): a whole test stack eating the cores. Test containers only go:
# the project's images started by Testcontainers (label org.testcontainers) and the compose test
# projects' (hls-compose-it-*); anything else stays.
remove_test_leftovers() {
  local ids
  ids=$(docker ps -a --format '{{.ID}}|{{.Image}}|{{.Label "org.testcontainers"}}|{{.Label "com.docker.compose.project"}}' \
    | awk -F'|' '($3 == "true" && $2 ~ /^hls-pipeline\//) || $4 ~ /^hls-compose-it-/ {print $1}')
  if [ -n "$ids" ]; then
    docker rm -f $ids >/dev/null && echo "removed $(echo "$ids" | wc -w) container(s) a cut-off test run left" >&2
  fi
  docker network ls --format '{{.Name}}' | grep '^hls-compose-it-' | xargs -r docker network rm >/dev/null || true
}
# dockerd refuses to start while its PID file names a live process: wait for an engine that is
# still stopping; a PID file left by a machine stopped mid-run may name a PID reused since.
if [ -f "$W/dockerd.pid" ]; then
  old=$(cat "$W/dockerd.pid")
  for _ in $(seq 60); do
    [ "$(cat "/proc/$old/comm" 2>/dev/null)" = dockerd ] || break
    sleep 0.5
  done
  rm -f "$W/dockerd.pid"
fi
nohup dockerd --pidfile "$W/dockerd.pid" --add-runtime clamp-runc="$W/runc-clamp" \
  --default-runtime=clamp-runc > "$W/dockerd.log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 120); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd $(docker info --format '{{.ServerVersion}}') started pid $pid"
    remove_test_leftovers
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { echo "dockerd exited; log:" >&2; tail -20 "$W/dockerd.log" >&2; exit 1; }
  sleep 0.5
done
echo "dockerd did not answer within 60 s; log:" >&2; tail -20 "$W/dockerd.log" >&2; exit 1
