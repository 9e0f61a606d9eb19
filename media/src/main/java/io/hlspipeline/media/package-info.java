/** Pure Java media code: MPEG-TS, elementary streams, segment cutting, HLS playlists. */
package io.hlspipeline.media;
