package io.hlspipeline.events.segments;

import java.util.List;
import java.util.Objects;

/**
 * A low-latency partial segment is stored (LL-HLS EXT-X-PART).
 *
 * @param msn the msn of the segment this part belongs to
 * @param partIndex index of the part within its segment, from 0
 * @param durationUs exact duration, microseconds
 * @param independent true when the part starts with a keyframe
 */
public record PartReady(
    int v,
    String streamId,
    String rendition,
    String sessionId,
    long msn,
    int partIndex,
    long durationUs,
    boolean independent,
    long sizeBytes,
    String storageKey,
    List<String> servers)
    implements SegmentEvent {
  public PartReady {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(rendition, "rendition");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(storageKey, "storageKey");
    servers = servers == null ? List.of() : List.copyOf(servers);
  }
}
