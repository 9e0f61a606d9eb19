package io.hlspipeline.media.nal;

import io.hlspipeline.media.MalformedMediaException;

/**
 * Scans an H.264 or H.265 Annex B byte stream PES by PES: counts the pictures that start in each
 * payload (a VCL NAL unit whose first bit after the NAL unit header is set: H.264 first_mb_in_slice
 * == 0 as ue(v) "1", H.265 first_slice_segment_in_pic_flag), notes random access pictures and keeps
 * the last SPS that parses. The codec supplies the NAL unit header syntax and its SPS parser. Not
 * thread-safe.
 *
 * @param <S> the codec's parsed SPS
 */
public abstract class AnnexBReader<S> {
  private final int nalHeaderBytes;
  private S sps;
  private boolean keyframe;
  private int accessUnits;
  private long malformedSps;

  /**
   * @param nalHeaderBytes bytes of nal_unit_header(): 1 in H.264 (§7.3.1), 2 in H.265 (§7.3.1.2)
   */
  protected AnnexBReader(int nalHeaderBytes) {
    this.nalHeaderBytes = nalHeaderBytes;
  }

  /** nal_unit_type of the NAL unit whose header starts at {@code buf[nal]}. */
  protected abstract int nalUnitType(byte[] buf, int nal);

  /** Whether {@code type} is a coded slice (of a picture the access unit counts). */
  protected abstract boolean isSlice(int type);

  /** Whether a slice of {@code type} belongs to a random access (IDR, IRAP) picture. */
  protected abstract boolean isKeyframeSlice(int type);

  /** Whether {@code type} is a sequence parameter set. */
  protected abstract boolean isSps(int type);

  /** Parses the SPS NAL unit {@code buf[nal, nalEnd)}. */
  protected abstract S parseSps(byte[] buf, int nal, int nalEnd, long inputOffset)
      throws MalformedMediaException;

  /** The last SPS seen, or null. */
  public final S sps() {
    return sps;
  }

  /** True when the last consumed payload held a random access picture (H.264 IDR, H.265 IRAP). */
  public final boolean keyframe() {
    return keyframe;
  }

  /** Pictures that started in the last consumed payload: normally 1 per PES. */
  public final int accessUnits() {
    return accessUnits;
  }

  /** SPS NAL units that could not be parsed (the previous one stays active). */
  public final long malformedSps() {
    return malformedSps;
  }

  /**
   * Scans one PES payload.
   *
   * @param inputOffset position for error messages
   */
  public final void consume(byte[] buf, int off, int length, long inputOffset) {
    int end = off + length;
    keyframe = false;
    accessUnits = 0;
    int nal = NalUnits.nextNalStart(buf, off, end);
    while (nal >= 0 && nal < end) {
      int nalEnd = NalUnits.nalEnd(buf, nal, end);
      int type = nalUnitType(buf, nal);
      if (isSlice(type)) {
        // The first slice of a picture: the top bit of the first byte after the NAL unit header.
        int firstSliceByte = nal + nalHeaderBytes;
        if (firstSliceByte < nalEnd && (buf[firstSliceByte] & 0x80) != 0) {
          accessUnits++;
        }
        keyframe |= isKeyframeSlice(type);
      } else if (isSps(type)) {
        try {
          sps = parseSps(buf, nal, nalEnd, inputOffset);
        } catch (MalformedMediaException e) {
          malformedSps++; // keep the previous SPS: one damaged parameter set is recoverable
        }
      }
      nal = NalUnits.nextNalStart(buf, nalEnd, end);
    }
  }
}
