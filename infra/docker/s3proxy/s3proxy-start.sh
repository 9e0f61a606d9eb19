#!/bin/bash
# S3Proxy on its filesystem backend, from the jars the project's devstack runs. Writes its properties
# into /tmp (the root filesystem is read-only), then execs it.
#
# Environment (defaults):
#   S3PROXY_DATA_DIR (/var/lib/s3proxy)  a volume or tmpfs; one directory per bucket
#   S3PROXY_IDENTITY (hls-dev), S3PROXY_CREDENTIAL (hls-dev-secret-change-me)  the access / secret key
#   S3PROXY_PORT (9000)
set -euo pipefail
data=${S3PROXY_DATA_DIR:-/var/lib/s3proxy}
mkdir -p "$data"
props=/tmp/s3proxy.properties
umask 077
cat > "$props" <<PROPS
s3proxy.endpoint=http://0.0.0.0:${S3PROXY_PORT:-9000}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${S3PROXY_IDENTITY:-hls-dev}
s3proxy.credential=${S3PROXY_CREDENTIAL:-hls-dev-secret-change-me}
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=${data}
PROPS
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
exec java $JAVA_OPTS -cp '/opt/hls/lib/*' -Dlogback.configurationFile=/opt/hls/logback.xml \
  org.gaul.s3proxy.Main --properties "$props"
