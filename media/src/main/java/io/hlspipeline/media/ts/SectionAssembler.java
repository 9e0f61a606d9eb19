package io.hlspipeline.media.ts;

/**
 * Reassembles PSI sections of one PID from transport packet payloads (ISO/IEC 13818-1 §2.4.4:
 * pointer_field, sections spanning packets, several sections per packet, 0xFF stuffing). Sections
 * whose CRC_32 fails (Annex A) are counted and dropped. Not thread-safe.
 */
final class SectionAssembler {
  /** §2.4.4.2: private sections may be up to 4096 bytes; PAT/PMT up to 1024. */
  static final int MAX_SECTION_SIZE = 4096;

  /** Receives one complete, CRC-checked section, valid only during the call. */
  interface SectionSink {
    void onSection(byte[] buf, int off, int length);
  }

  private final byte[] section = new byte[MAX_SECTION_SIZE];
  private int sectionLength;
  private boolean assembling;
  private long crcErrors;

  /** Drops any section in progress (after a continuity gap). */
  void reset() {
    assembling = false;
    sectionLength = 0;
  }

  long crcErrors() {
    return crcErrors;
  }

  void consume(byte[] buf, int off, int length, boolean payloadUnitStart, SectionSink sink) {
    int pos = off;
    int end = off + length;
    if (payloadUnitStart) {
      int pointerField = buf[pos] & 0xFF; // §2.4.4.2 pointer_field
      pos++;
      if (pos + pointerField > end) {
        reset();
        return;
      }
      if (assembling) {
        append(buf, pos, pointerField, sink);
      }
      pos += pointerField;
      reset();
      // Several sections may start in this packet; a table_id of 0xFF starts stuffing (§2.4.4.3).
      while (pos < end && (buf[pos] & 0xFF) != 0xFF) {
        assembling = true;
        pos += append(buf, pos, end - pos, sink);
        if (assembling) {
          break; // the section continues in the next packet
        }
      }
    } else if (assembling) {
      append(buf, pos, end - pos, sink);
    }
  }

  /** Appends up to {@code length} bytes to the section; returns how many were used. */
  private int append(byte[] buf, int off, int length, SectionSink sink) {
    int used = 0;
    while (used < length) {
      int needed;
      if (sectionLength < 3) {
        needed = 3 - sectionLength;
      } else {
        needed = 3 + declaredLength() - sectionLength;
      }
      int take = Math.min(needed, length - used);
      System.arraycopy(buf, off + used, section, sectionLength, take);
      sectionLength += take;
      used += take;
      if (sectionLength == 3 && 3 + declaredLength() > MAX_SECTION_SIZE) {
        reset();
        return used;
      }
      if (sectionLength >= 3 && sectionLength == 3 + declaredLength()) {
        deliver(sink);
        reset();
        return used;
      }
    }
    return used;
  }

  /** §2.4.4.3 section_length (12 bits). */
  private int declaredLength() {
    return ((section[1] & 0x0F) << 8) | (section[2] & 0xFF);
  }

  private void deliver(SectionSink sink) {
    boolean sectionSyntax = (section[1] & 0x80) != 0;
    if (sectionSyntax) {
      if (sectionLength < 12 || Crc32Mpeg2.compute(section, 0, sectionLength) != 0) {
        crcErrors++;
        return;
      }
    }
    sink.onSection(section, 0, sectionLength);
  }
}
