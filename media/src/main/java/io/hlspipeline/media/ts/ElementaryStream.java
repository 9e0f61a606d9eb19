package io.hlspipeline.media.ts;

/**
 * One elementary stream of a program, from the PMT's ES loop (ISO/IEC 13818-1 §2.4.4.9).
 *
 * @param pid elementary_PID, 13 bits
 * @param streamType stream_type (see {@link StreamType})
 */
public record ElementaryStream(int pid, int streamType) {}
