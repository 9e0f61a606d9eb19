package io.hlspipeline.media.cut;

/**
 * What the cutter needs to know about one elementary stream, read PES by PES: whether a PES can
 * start a segment, how long it lasts, and the stream's decoder configuration as HLS describes it
 * (RFC 8216bis §4.4.6.2 CODECS, RESOLUTION). One implementation per stream type, made by {@link
 * ElementaryStreamReaders}; not thread-safe.
 */
interface ElementaryStreamReader {
  /**
   * Reads one complete PES packet's payload.
   *
   * @param inputOffset input byte offset of the PES, for errors
   */
  void consume(byte[] data, int offset, int length, long inputOffset);

  /**
   * True when the last PES can start a segment: a random access picture (H.264 IDR, H.265 IRAP) for
   * video; any frame for audio.
   */
  boolean randomAccess();

  /** Duration of the last PES in 90 kHz units when the stream says it (audio frames), else 0. */
  long duration90k();

  /** True once the decoder configuration (video: an SPS; audio: an ADTS header) is known. */
  boolean configured();

  /**
   * RFC 6381 codec of the current configuration, e.g. {@code avc1.64001f}; before one is known the
   * bare sample entry for video ({@code avc1}, {@code hvc1}) and null for audio.
   */
  String codecs();

  /** Displayed width in pixels; 0 for audio or before the configuration is known. */
  int width();

  /** Displayed height in pixels; 0 for audio or before the configuration is known. */
  int height();
}
