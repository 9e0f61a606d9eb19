package io.hlspipeline.media.hls;

/**
 * An HLS playlist: either a Media Playlist or a Multivariant (formerly "Master") Playlist; RFC 8216
 * §4.1 forbids one file from being both.
 */
public sealed interface Playlist permits MediaPlaylist, MultivariantPlaylist {}
