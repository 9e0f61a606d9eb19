#!/bin/bash
# Health probes with bash alone (no curl, no client tools in the images), each a real request
# answered by the server, not just an open port. Exit 0 when the answer is right, else 1.
#
#   probe.sh kafka PORT    Kafka ApiVersions v0 request; ok when the reply carries our correlation id
#   probe.sh cql PORT      CQL native protocol v4 OPTIONS; ok on a SUPPORTED reply
#   probe.sh http PORT [PATH [STATUS_REGEX]]   GET; ok when the status matches (default: any status)
set -u
kind=${1:?kind}; port=${2:?port}
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
case "$kind" in
  kafka)
    # Request: size 10 | api_key 18 (ApiVersions) | api_version 0 | correlation_id 0x68 6c 73 21 | client_id null
    printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x68\x6c\x73\x21\xff\xff' >&3
    reply=$(timeout 3 od -An -tx1 -N8 <&3 | tr -d ' \n')
    [[ "$reply" == ????????686c7321 ]] || { echo "kafka: no ApiVersions reply (${reply:-none})" >&2; exit 1; }
    ;;
  cql)
    # Frame header: version 4 request | flags 0 | stream 1 | opcode 5 OPTIONS | body length 0
    printf '\x04\x00\x00\x01\x05\x00\x00\x00\x00' >&3
    reply=$(timeout 3 od -An -tx1 -N5 <&3 | tr -d ' \n')
    # version 0x84 (response) | flags | stream 0001 | opcode 0x06 SUPPORTED
    [[ "$reply" == 84??000106 ]] || { echo "cql: no SUPPORTED reply (${reply:-none})" >&2; exit 1; }
    ;;
  http)
    path=${3:-/}; want=${4:-.}
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
    IFS= read -r -t 3 status <&3 || { echo "http: no answer" >&2; exit 1; }
    code=$(echo "$status" | awk '{print $2}')
    [[ "$status" == HTTP/1.?" "* && "$code" =~ $want ]] || { echo "http ${path}: ${status:-no answer}" >&2; exit 1; }
    ;;
  *) echo "probe: unknown kind $kind" >&2; exit 1 ;;
esac
