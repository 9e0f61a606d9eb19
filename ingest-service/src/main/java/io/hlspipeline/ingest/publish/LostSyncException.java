package io.hlspipeline.ingest.publish;

/** The pushed body is not MPEG-TS: a packet does not start with the sync byte 0x47. */
public final class LostSyncException extends Exception {
  private static final long serialVersionUID = 1L;

  private final long byteOffset;

  public LostSyncException(long byteOffset) {
    super("not MPEG-TS: no sync byte 0x47 at byte offset " + byteOffset);
    this.byteOffset = byteOffset;
  }

  /** Offset in the body of the packet that lacks its sync byte. */
  public long byteOffset() {
    return byteOffset;
  }
}
