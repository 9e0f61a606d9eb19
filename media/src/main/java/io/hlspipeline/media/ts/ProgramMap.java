package io.hlspipeline.media.ts;

import java.util.List;

/**
 * The program map of the first program in the PAT (ISO/IEC 13818-1 §2.4.4.9
 * TS_program_map_section).
 *
 * @param programNumber program_number
 * @param pmtPid the PID the PMT arrived on
 * @param pcrPid PCR_PID
 * @param version version_number, 5 bits
 * @param streams the ES loop in PMT order
 */
public record ProgramMap(
    int programNumber, int pmtPid, int pcrPid, int version, List<ElementaryStream> streams) {
  public ProgramMap {
    streams = List.copyOf(streams);
  }

  /** True when both maps carry the same streams (PIDs and types), whatever their versions. */
  public boolean sameStreams(ProgramMap other) {
    return other != null && streams.equals(other.streams);
  }
}
