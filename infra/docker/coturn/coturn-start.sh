#!/bin/bash
# coturn for WHIP publishers: TURN REST API credentials (use-auth-secret) minted by ingest from the
# same secret (ingest's WHIP_TURN_SECRET), plain UDP/TCP (no TLS, DTLS or CLI), logs to stdout.
# Writes its config into /tmp (mode 600: the secret stays out of ps and the pod spec), then execs it.
#
# Environment (defaults):
#   TURN_SECRET (required)          static-auth-secret, shared with ingest
#   TURN_REALM (hls-pipeline)
#   TURN_PORT (3478)                listening port, UDP and TCP
#   TURN_LISTENING_IP (all)         listening address
#   TURN_RELAY_IP (first address)   address relayed traffic leaves from (what ingest answers to)
#   TURN_EXTERNAL_IP                the relay address as clients see it, if NATed (external-ip)
#   TURN_MIN_PORT, TURN_MAX_PORT (49152, 49407)  relay port range
#   TURN_ALLOWED_PEER_IPS           comma-separated ip or ip-ip ranges coturn may relay to (the
#                                   ingest pods/containers); every other peer is denied
#   TURN_VERBOSE (1)                log each TURN request and each closed session's usage counters
set -euo pipefail
: "${TURN_SECRET:?TURN_SECRET is required (the static-auth-secret ingest mints credentials from)}"
: "${TURN_ALLOWED_PEER_IPS:?TURN_ALLOWED_PEER_IPS is required (the ingest addresses coturn may relay to)}"
conf=/tmp/turnserver.conf
umask 077
{
  echo "listening-port=${TURN_PORT:-3478}"
  [ -n "${TURN_LISTENING_IP:-}" ] && echo "listening-ip=${TURN_LISTENING_IP}"
  echo "relay-ip=${TURN_RELAY_IP:-$(hostname -i | awk '{print $1}')}"
  [ -n "${TURN_EXTERNAL_IP:-}" ] && echo "external-ip=${TURN_EXTERNAL_IP}"
  echo "min-port=${TURN_MIN_PORT:-49152}"
  echo "max-port=${TURN_MAX_PORT:-49407}"
  echo "use-auth-secret"
  echo "static-auth-secret=${TURN_SECRET}"
  echo "realm=${TURN_REALM:-hls-pipeline}"
  echo "fingerprint"
  echo "no-tls"
  echo "no-dtls"
  echo "no-cli"
  echo "no-tcp-relay"
  echo "no-multicast-peers"
  echo "no-software-attribute"
  # Deny every peer (IPv4 and IPv6), then allow the ingest addresses: allowed-peer-ip wins.
  echo "denied-peer-ip=0.0.0.0-255.255.255.255"
  echo "denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
  IFS=',' read -ra allowed <<< "${TURN_ALLOWED_PEER_IPS}"
  for range in "${allowed[@]}"; do
    range=$(echo "$range" | tr -d ' ')
    [ -n "$range" ] && echo "allowed-peer-ip=${range}"
  done
  [ "${TURN_VERBOSE:-1}" = 1 ] && echo "verbose"
  echo "log-file=stdout"
  echo "simple-log"
  echo "userdb=/tmp/turndb"
  echo "pidfile=/tmp/turnserver.pid"
} > "$conf"
# Not exec'd: as PID 1, turnserver ignores SIGTERM (and INT, QUIT, HUP), so `docker stop` and pod
# deletion waited out their grace period (10 s, 30 s) and killed it. This shell, PID 1, passes the
# signal on to it, and turnserver ends at once.
turnserver -c "$conf" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
wait "$pid" # returns early when a trapped signal arrives: then wait for turnserver's exit
status=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
exit "$status"
