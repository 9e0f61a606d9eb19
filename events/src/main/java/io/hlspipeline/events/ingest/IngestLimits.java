package io.hlspipeline.events.ingest;

/** Size rules of the {@code hls.ingest} topic. */
public final class IngestLimits {
  /** MPEG-TS packet size (ISO/IEC 13818-1 §2.4.3.2). */
  public static final int TS_PACKET_BYTES = 188;

  /** Largest chunk value: 2788 whole TS packets (524 144 bytes, just under 512 KiB). */
  public static final int MAX_CHUNK_BYTES = (512 * 1024 / TS_PACKET_BYTES) * TS_PACKET_BYTES;

  private IngestLimits() {}
}
