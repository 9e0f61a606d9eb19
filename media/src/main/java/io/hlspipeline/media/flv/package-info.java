/**
 * FLV tag bodies (legacy and Enhanced RTMP) to MPEG-TS: the decoder configuration records of
 * H.264/H.265 sequence headers and the remuxer that RTMP ingest feeds.
 */
package io.hlspipeline.media.flv;
