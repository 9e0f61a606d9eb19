# Shared helpers of the bench/ scripts (sourced, not run). Bash 4+, Debian tools: wrk, nginx,
# h2load (nghttp2-client), taskset, openssl, curl, python3.
#
# Pinning: the load generator runs on LOAD_CPU, every server under test on SERVER_CPU (defaults 0
# and 1 on a 2-core machine). wrk uses WRK_THREADS threads (default 1: it has one core).

LOAD_CPU=${LOAD_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
WRK_THREADS=${WRK_THREADS:-1}
DURATION=${DURATION:-10}  # seconds per measured run
WARMUP=${WARMUP:-5}       # seconds of warm-up per server and object
RUNS=${RUNS:-3}           # measured runs per server and object (median taken)
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Installs what is missing (Debian package names), apt-get update first.
ensure_tools() {
  local missing=() cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd ]] || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
      die "apt-get install ${missing[*]} failed"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url") == 200 ]] && return 0
    sleep 0.5
  done
  return 1
}

print_machine() {
  echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:     $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel:      $(uname -r)"
  echo "java:        $(java -version 2>&1 | head -1)"
  echo "nginx:       $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk:         $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  command -v h2load >/dev/null && echo "h2load:      $(h2load --version | head -1)"
  echo "pinning:     load generator on CPU $LOAD_CPU, server under test on CPU $SERVER_CPU (taskset)"
  echo "wrk:         -t$WRK_THREADS, ${DURATION}s per run, ${WARMUP}s warm-up, median of $RUNS alternating runs, --timeout $WRK_TIMEOUT"
}

# nginx_start DIR DOCROOT PORT [H2C_PORT TLS_PORT CERT KEY]: one worker pinned to SERVER_CPU,
# static files with sendfile, no access log, keep-alive never closed by request count (like the
# JVM servers). Content types: .m3u8 and .ts as given by PLAYLIST_TYPE / SEGMENT_TYPE.
nginx_start() {
  local dir=$1 docroot=$2 port=$3 h2c_port=${4:-} tls_port=${5:-} cert=${6:-} key=${7:-}
  mkdir -p "$dir/logs" "$dir/tmp"
  {
    echo "worker_processes 1;"
    echo "worker_rlimit_nofile 65536;"
    echo "daemon off;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/logs/error.log warn;"
    echo "events { worker_connections 16384; }"
    echo "http {"
    echo "  access_log off;"
    echo "  sendfile on; tcp_nopush on; tcp_nodelay on;"
    echo "  keepalive_requests 100000000; keepalive_timeout 65s;"
    echo "  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;"
    echo "  fastcgi_temp_path $dir/tmp/fcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;"
    echo "  types { ${PLAYLIST_TYPE:-application/vnd.apple.mpegurl} m3u8; ${SEGMENT_TYPE:-video/mp2t} ts; }"
    echo "  default_type application/octet-stream;"
    echo "  server { listen 127.0.0.1:$port; root $docroot; }"
    if [[ -n $h2c_port ]]; then
      echo "  server { listen 127.0.0.1:$h2c_port http2; root $docroot; }"
    fi
    if [[ -n $tls_port ]]; then
      echo "  server { listen 127.0.0.1:$tls_port ssl http2; root $docroot;"
      echo "    ssl_certificate $cert; ssl_certificate_key $key; ssl_protocols TLSv1.2 TLSv1.3; }"
    fi
    echo "}"
  } >"$dir/nginx.conf"
  taskset -c "$SERVER_CPU" nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED_PIDS+=("$NGINX_PID")
  local i
  for i in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/logs/stdout.log" "$dir/logs/error.log" >&2 2>/dev/null
  die "nginx did not start"
}

# make_cert DIR: self-signed EC certificate for 127.0.0.1 → DIR/cert.pem, DIR/key.pem.
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
}

# to_ms VALUE_WITH_UNIT (wrk's 850.00us / 1.23ms / 2.01s) → milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# wrk_run OUT URL CONNS SECONDS → prints "req/s p99_ms errors" (errors = socket errors + non-2xx);
# the full wrk output goes to OUT.
wrk_run() {
  local out=$1 url=$2 conns=$3 secs=$4 threads=$WRK_THREADS
  ((conns < threads)) && threads=$conns
  taskset -c "$LOAD_CPU" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout "$WRK_TIMEOUT" --latency "$url" >"$out" 2>&1
  local rps p99 sock non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  printf '%s %s %s\n' "${rps:-0}" "$(to_ms "${p99:-0}")" "$(( ${sock:-0} + ${non2xx:-0} ))"
}

# median of the arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Kills (by pid, TERM then KILL after a grace) what this script started; STARTED_PIDS in start order.
STARTED_PIDS=()
stop_started() {
  local i pid
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${STARTED_PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for i in $(seq 1 100); do
    local alive=0
    for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
