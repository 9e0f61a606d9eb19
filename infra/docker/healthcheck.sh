#!/bin/bash
# Container health check: GET /health/live on the service's admin port (ADMIN_PORT; the segmenter's
# only port is its HTTP_PORT), with bash's /dev/tcp (the JRE base image is not guaranteed to ship
# curl or wget). Exit 0 only on an HTTP 200. Default ports: docs/architecture.md.
set -u
case "${SERVICE:-}" in
  edge) port="${ADMIN_PORT:-9080}" ;;
  ingest) port="${ADMIN_PORT:-9081}" ;;
  catalog) port="${ADMIN_PORT:-9082}" ;;
  segmenter) port="${HTTP_PORT:-8083}" ;;
  *) echo "healthcheck: unknown SERVICE '${SERVICE:-}'" >&2; exit 1 ;;
esac
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /health/live HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "health/live: ${status:-no answer}" >&2; exit 1 ;;
esac
