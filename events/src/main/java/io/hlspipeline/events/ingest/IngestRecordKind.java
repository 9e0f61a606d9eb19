package io.hlspipeline.events.ingest;

/** What an {@code hls.ingest} record's value holds. */
public enum IngestRecordKind {
  /** Whole 188-byte MPEG-TS packets, at most {@link IngestLimits#MAX_CHUNK_BYTES}. */
  CHUNK("chunk"),
  /** JSON {@link IngestControl.PublishStarted}. */
  PUBLISH_STARTED("publish-started"),
  /** JSON {@link IngestControl.PublishEnded}. */
  PUBLISH_ENDED("publish-ended");

  private final String wireName;

  IngestRecordKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static IngestRecordKind fromWireName(String name) {
    for (IngestRecordKind k : values()) {
      if (k.wireName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("hls.ingest: unknown record kind '" + name + "'");
  }
}
