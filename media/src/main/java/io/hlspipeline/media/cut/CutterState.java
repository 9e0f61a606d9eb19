package io.hlspipeline.media.cut;

import static io.hlspipeline.media.ts.TsPacket.TS_PACKET_SIZE;

import io.hlspipeline.media.h264.H264Sps;
import io.hlspipeline.media.h265.H265Sps;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything a {@link SegmentCutter} needs to continue at a segment boundary as if it had never
 * stopped: {@link SegmentCutter#resume} fed the input from {@link #nextInputOffset()} on emits the
 * same segments, byte for byte, as the uninterrupted cutter.
 *
 * <p>It is the cutter's state just before it decided to cut, with the tables as they were at {@code
 * nextInputOffset} (the bytes after it are fed again on resume). Encoded by {@link #toBytes()} in a
 * small versioned binary form (≤ ~500 bytes) for a Kafka state record.
 *
 * @param nextInputOffset input byte offset where the next segment starts (a packet boundary); the
 *     {@link CutSegment#inputStartOffset()} of the next segment
 * @param lastSegmentIndex {@link CutSegment#index()} of the segment just emitted
 * @param nextDiscontinuity true when the next segment starts a discontinuity
 * @param gridOriginPts90k unwrapped PTS of the first segment since the last discontinuity
 * @param segmentsInDiscontinuity segments opened since the grid origin, the one just emitted
 *     included
 * @param haveLastDts whether {@code lastReferenceDts90k} is set
 * @param lastReferenceDts90k unwrapped DTS of the last reference frame before the next segment
 * @param frameDuration90k last reference frame duration, 90 kHz
 * @param lastUnwrapped90k the timestamp unwrapper's last 64-bit value (its 2^33 epoch)
 * @param patPacket last PAT packet before {@code nextInputOffset}, null if none; 188 bytes
 * @param pmtPacket last PMT packet before {@code nextInputOffset}, null if none; 188 bytes
 * @param h264Sps active H.264 SPS, null if none
 * @param h265Sps active H.265 SPS, null if none
 * @param audioCodecs last AAC codecs string, null if none
 * @param partTarget90k the part target the cutter fixed in whole frames (90 kHz), 0 while not fixed
 *     or without parts; a resumed cutter keeps it, so a session's part target never changes
 */
public record CutterState(
    long nextInputOffset,
    long lastSegmentIndex,
    boolean nextDiscontinuity,
    long gridOriginPts90k,
    long segmentsInDiscontinuity,
    boolean haveLastDts,
    long lastReferenceDts90k,
    long frameDuration90k,
    long lastUnwrapped90k,
    byte[] patPacket,
    byte[] pmtPacket,
    H264Sps h264Sps,
    H265Sps h265Sps,
    String audioCodecs,
    long partTarget90k) {

  /** Version byte of {@link #toBytes()}: 2 added {@code partTarget90k}; 1 still reads (as 0). */
  static final int ENCODING_VERSION = 2;

  public CutterState {
    if (nextInputOffset < 0 || lastSegmentIndex < 0 || partTarget90k < 0) {
      throw new IllegalArgumentException("negative offset, index or part target");
    }
    patPacket = checkPacket(patPacket);
    pmtPacket = checkPacket(pmtPacket);
  }

  private static byte[] checkPacket(byte[] packet) {
    if (packet != null && packet.length != TS_PACKET_SIZE) {
      throw new IllegalArgumentException("a PSI packet has " + packet.length + " bytes");
    }
    return packet == null ? null : packet.clone();
  }

  @Override
  public byte[] patPacket() {
    return patPacket == null ? null : patPacket.clone();
  }

  @Override
  public byte[] pmtPacket() {
    return pmtPacket == null ? null : pmtPacket.clone();
  }

  /** The cutter's msn-independent index of the segment that starts at {@link #nextInputOffset}. */
  public long nextSegmentIndex() {
    return lastSegmentIndex + 1;
  }

  /** The versioned binary form; {@link #fromBytes} reads it back. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(600);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(ENCODING_VERSION);
      out.writeLong(nextInputOffset);
      out.writeLong(lastSegmentIndex);
      out.writeBoolean(nextDiscontinuity);
      out.writeLong(gridOriginPts90k);
      out.writeLong(segmentsInDiscontinuity);
      out.writeBoolean(haveLastDts);
      out.writeLong(lastReferenceDts90k);
      out.writeLong(frameDuration90k);
      out.writeLong(lastUnwrapped90k);
      writePacket(out, patPacket);
      writePacket(out, pmtPacket);
      out.writeBoolean(h264Sps != null);
      if (h264Sps != null) {
        out.writeInt(h264Sps.profileIdc());
        out.writeInt(h264Sps.constraintFlags());
        out.writeInt(h264Sps.levelIdc());
        out.writeInt(h264Sps.width());
        out.writeInt(h264Sps.height());
      }
      out.writeBoolean(h265Sps != null);
      if (h265Sps != null) {
        out.writeInt(h265Sps.profileSpace());
        out.writeBoolean(h265Sps.tierFlag());
        out.writeInt(h265Sps.profileIdc());
        out.writeLong(h265Sps.profileCompatibilityFlags());
        out.writeLong(h265Sps.constraintFlags());
        out.writeInt(h265Sps.levelIdc());
        out.writeInt(h265Sps.width());
        out.writeInt(h265Sps.height());
      }
      out.writeBoolean(audioCodecs != null);
      if (audioCodecs != null) {
        out.writeUTF(audioCodecs);
      }
      out.writeLong(partTarget90k);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #toBytes()} output.
   *
   * @throws IllegalArgumentException when the bytes are truncated, of an unknown version or invalid
   */
  public static CutterState fromBytes(byte[] encoded) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      int version = in.readUnsignedByte();
      if (version != ENCODING_VERSION && version != 1) {
        throw new IllegalArgumentException("unknown cutter state version " + version);
      }
      long nextInputOffset = in.readLong();
      long lastSegmentIndex = in.readLong();
      boolean nextDiscontinuity = in.readBoolean();
      long gridOrigin = in.readLong();
      long segments = in.readLong();
      boolean haveLastDts = in.readBoolean();
      long lastDts = in.readLong();
      long frameDuration = in.readLong();
      long lastUnwrapped = in.readLong();
      byte[] pat = readPacket(in);
      byte[] pmt = readPacket(in);
      H264Sps h264 = null;
      if (in.readBoolean()) {
        h264 = new H264Sps(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
      }
      H265Sps h265 = null;
      if (in.readBoolean()) {
        h265 =
            new H265Sps(
                in.readInt(),
                in.readBoolean(),
                in.readInt(),
                in.readLong(),
                in.readLong(),
                in.readInt(),
                in.readInt(),
                in.readInt());
      }
      String audio = in.readBoolean() ? in.readUTF() : null;
      long partTarget = version >= 2 ? in.readLong() : 0;
      if (in.read() != -1) {
        throw new IllegalArgumentException("trailing bytes after the cutter state");
      }
      return new CutterState(
          nextInputOffset,
          lastSegmentIndex,
          nextDiscontinuity,
          gridOrigin,
          segments,
          haveLastDts,
          lastDts,
          frameDuration,
          lastUnwrapped,
          pat,
          pmt,
          h264,
          h265,
          audio,
          partTarget);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated cutter state", e);
    }
  }

  private static void writePacket(DataOutputStream out, byte[] packet) throws IOException {
    out.writeBoolean(packet != null);
    if (packet != null) {
      out.write(packet);
    }
  }

  private static byte[] readPacket(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    byte[] packet = new byte[TS_PACKET_SIZE];
    in.readFully(packet);
    return packet;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CutterState s
        && nextInputOffset == s.nextInputOffset
        && lastSegmentIndex == s.lastSegmentIndex
        && nextDiscontinuity == s.nextDiscontinuity
        && gridOriginPts90k == s.gridOriginPts90k
        && segmentsInDiscontinuity == s.segmentsInDiscontinuity
        && haveLastDts == s.haveLastDts
        && lastReferenceDts90k == s.lastReferenceDts90k
        && frameDuration90k == s.frameDuration90k
        && lastUnwrapped90k == s.lastUnwrapped90k
        && Arrays.equals(patPacket, s.patPacket)
        && Arrays.equals(pmtPacket, s.pmtPacket)
        && Objects.equals(h264Sps, s.h264Sps)
        && Objects.equals(h265Sps, s.h265Sps)
        && Objects.equals(audioCodecs, s.audioCodecs)
        && partTarget90k == s.partTarget90k;
  }

  @Override
  public int hashCode() {
    return Objects.hash(nextInputOffset, lastSegmentIndex, gridOriginPts90k, lastReferenceDts90k);
  }

  @Override
  public String toString() {
    return "CutterState[nextInputOffset="
        + nextInputOffset
        + ", lastSegmentIndex="
        + lastSegmentIndex
        + ", nextDiscontinuity="
        + nextDiscontinuity
        + ", gridOriginPts90k="
        + gridOriginPts90k
        + ", segmentsInDiscontinuity="
        + segmentsInDiscontinuity
        + "]";
  }
}
