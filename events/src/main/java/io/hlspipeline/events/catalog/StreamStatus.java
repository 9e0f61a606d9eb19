package io.hlspipeline.events.catalog;

/** Whether a stream is publishing now. */
public enum StreamStatus {
  LIVE,
  ENDED
}
