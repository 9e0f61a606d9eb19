#!/bin/sh
# /opt/hls/bin/ffmpeg in the ingest image: ffmpeg 8.1 (LGPL build of org.bytedeco:ffmpeg) with the
# shared libraries beside it; not every one of them finds the others by its RUNPATH.
LD_LIBRARY_PATH=/opt/hls/ffmpeg exec /opt/hls/ffmpeg/ffmpeg "$@"
