package io.hlspipeline.media.cut;

/**
 * One low-latency HLS partial segment (RFC 8216bis §4.4.4.9 EXT-X-PART): a run of whole transport
 * packets of segment {@code segmentIndex}; the parts of a segment concatenated equal its data.
 *
 * @param segmentIndex the {@link CutSegment#index()} this part belongs to
 * @param partIndex 0-based within the segment
 * @param durationUs duration from timestamps, microseconds
 * @param independent true when the part starts with a keyframe (EXT-X-PART INDEPENDENT=YES)
 * @param data transport packets; owned by the receiver
 */
public record CutPart(
    long segmentIndex, int partIndex, long durationUs, boolean independent, byte[] data) {}
