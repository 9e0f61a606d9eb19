#!/bin/bash
# Container health check: GET /health/live on the service's own HTTP port, with bash's /dev/tcp
# (the JRE base image is not guaranteed to ship curl or wget). Exit 0 only on an HTTP 200.
set -u
case "${SERVICE:-}" in
  edge) default_port=8080 ;;
  ingest) default_port=8081 ;;
  catalog) default_port=8082 ;;
  segmenter) default_port=8083 ;;
  *) default_port=8080 ;;
esac
port="${HTTP_PORT:-$default_port}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /health/live HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "health/live: ${status:-no answer}" >&2; exit 1 ;;
esac
