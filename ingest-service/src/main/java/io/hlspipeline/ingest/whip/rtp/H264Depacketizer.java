package io.hlspipeline.ingest.whip.rtp;

import java.util.Arrays;

/**
 * Rebuilds H.264 access units from RTP payloads in sequence order (RFC 6184, packetization-mode 1:
 * single NAL unit packets §5.6, STAP-A §5.7.1, FU-A §5.8), as Annex B byte streams (ITU-T H.264
 * Annex B) beginning with an access unit delimiter, as MPEG-TS wants them (ISO/IEC 13818-1
 * §2.14.1).
 *
 * <p>An access unit ends with the marker bit (§5.1) or when the timestamp changes. Loss is handled
 * by dropping: a sequence gap discards the NAL unit being reassembled and the access unit it
 * belongs to, and from then on (as at the start) access units are dropped until one holds an IDR
 * slice, for which a keyframe is requested. An IDR access unit without SPS and PPS gets the last
 * ones seen prepended (encoders often send them once); without any it is dropped too. Memory: at
 * most {@code maxAccessUnitBytes} plus the parameter sets. Not thread-safe.
 */
public final class H264Depacketizer {
  /** Receives whole access units. */
  public interface Sink {
    /**
     * @param rtpTimestamp the access unit's RTP timestamp (90 kHz, 32-bit unsigned)
     * @param annexB {@code annexB[0..length)}: the access unit, reused after the call returns
     * @param idr whether it holds an IDR slice (and so SPS and PPS before it)
     */
    void accessUnit(long rtpTimestamp, byte[] annexB, int length, boolean idr);
  }

  /** NAL unit types (ITU-T H.264 Table 7-1, RFC 6184 Table 1). */
  static final int NAL_SLICE = 1;

  static final int NAL_IDR = 5;
  static final int NAL_SPS = 7;
  static final int NAL_PPS = 8;
  static final int NAL_AUD = 9;
  static final int STAP_A = 24;
  static final int FU_A = 28;

  private static final byte[] START_CODE = {0, 0, 0, 1};

  /** AUD with primary_pic_type 7 (any slice type), then rbsp_stop_one_bit (§7.3.2.4). */
  private static final byte[] AUD = {0, 0, 0, 1, NAL_AUD, (byte) 0xF0};

  private final Sink sink;
  private final Runnable keyframeNeeded;
  private final int maxAccessUnitBytes;

  private byte[] au;
  private int auLength;
  private long auTimestamp = -1;
  private boolean auHasIdr;
  private boolean auHasSps;
  private boolean auHasPps;
  private boolean auBroken;
  private boolean waitingForIdr = true;

  private byte[] fu; // the FU-A being reassembled: NAL header + fragments
  private int fuLength = -1; // -1: none in progress

  private byte[] lastSps;
  private byte[] lastPps;
  private long droppedAccessUnits;

  /**
   * @param keyframeNeeded called when access units are being dropped until the next IDR (at the
   *     start and after a loss): the owner sends a PLI, rate-limited as it sees fit
   * @param maxAccessUnitBytes largest access unit accepted; a larger one is dropped as broken
   */
  public H264Depacketizer(Sink sink, Runnable keyframeNeeded, int maxAccessUnitBytes) {
    this.sink = sink;
    this.keyframeNeeded = keyframeNeeded;
    this.maxAccessUnitBytes = maxAccessUnitBytes;
    this.au = new byte[Math.min(64 * 1024, maxAccessUnitBytes)];
    this.fu = new byte[Math.min(64 * 1024, maxAccessUnitBytes)];
  }

  /** Access units dropped (broken by loss, or waiting for an IDR). */
  public long droppedAccessUnits() {
    return droppedAccessUnits;
  }

  /**
   * Takes the next RTP packet of the stream, in sequence order.
   *
   * @param gapBefore packets were lost just before this one
   */
  public void packet(RtpPacket p, boolean gapBefore) {
    if (gapBefore) {
      fuLength = -1;
      auBroken = true;
    }
    if (auTimestamp != -1 && p.timestamp() != auTimestamp) {
      finishAccessUnit(); // the marker was lost, or never sent
      // the lost packets may have begun this access unit as well
      auBroken = gapBefore;
    } else if (gapBefore && auTimestamp == -1) {
      auBroken = true; // the lost packets began this access unit (or were whole ones)
    }
    auTimestamp = p.timestamp();
    payload(p.data(), p.payloadOffset(), p.payloadLength());
    if (p.marker()) {
      finishAccessUnit();
    }
  }

  private void payload(byte[] data, int off, int length) {
    if (length < 1) {
      return;
    }
    int type = data[off] & 0x1F; // nal_unit_type / RTP packet type (§5.2)
    if (type >= 1 && type <= 23) {
      fuLength = -1;
      nal(data, off, length);
    } else if (type == STAP_A) {
      fuLength = -1;
      // §5.7.1: STAP-A NAL HDR, then (16-bit NALU size, NALU)*
      int pos = off + 1;
      int end = off + length;
      while (pos + 2 <= end) {
        int size = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
        pos += 2;
        if (size == 0 || pos + size > end) {
          auBroken = true; // malformed aggregation
          return;
        }
        nal(data, pos, size);
        pos += size;
      }
    } else if (type == FU_A) {
      fragment(data, off, length);
    } else {
      // STAP-B, MTAP, FU-B (interleaved mode only) or reserved: not in packetization-mode 1
      fuLength = -1;
      auBroken = true;
    }
  }

  private void fragment(byte[] data, int off, int length) {
    if (length < 3) {
      auBroken = true;
      return;
    }
    int indicator = data[off] & 0xFF;
    int header = data[off + 1] & 0xFF;
    boolean start = (header & 0x80) != 0;
    boolean end = (header & 0x40) != 0;
    if (start) {
      // §5.8: the NAL header is F and NRI of the FU indicator, type of the FU header
      fu[0] = (byte) ((indicator & 0xE0) | (header & 0x1F));
      fuLength = 1;
    } else if (fuLength < 0) {
      return; // the start was lost: this NAL unit cannot be rebuilt
    }
    int part = length - 2;
    if (fuLength + part > maxAccessUnitBytes) {
      fuLength = -1;
      auBroken = true;
      return;
    }
    if (fuLength + part > fu.length) {
      fu =
          Arrays.copyOf(fu, Math.min(maxAccessUnitBytes, Math.max(fu.length * 2, fuLength + part)));
    }
    System.arraycopy(data, off + 2, fu, fuLength, part);
    fuLength += part;
    if (end) {
      nal(fu, 0, fuLength);
      fuLength = -1;
    }
  }

  private void nal(byte[] data, int off, int length) {
    int type = data[off] & 0x1F;
    switch (type) {
      case NAL_SPS -> {
        lastSps = Arrays.copyOfRange(data, off, off + length);
        auHasSps = true;
      }
      case NAL_PPS -> {
        lastPps = Arrays.copyOfRange(data, off, off + length);
        auHasPps = true;
      }
      case NAL_IDR -> {
        if (!auHasIdr && (!auHasSps || !auHasPps) && lastSps != null && lastPps != null) {
          // §5 of H.264 Annex B streams in TS: each IDR needs its parameter sets before it
          if (!auHasSps) {
            append(START_CODE, 0, 4);
            append(lastSps, 0, lastSps.length);
            auHasSps = true;
          }
          if (!auHasPps) {
            append(START_CODE, 0, 4);
            append(lastPps, 0, lastPps.length);
            auHasPps = true;
          }
        }
        auHasIdr = true;
      }
      case NAL_AUD -> {
        return; // we write our own
      }
      default -> {}
    }
    append(START_CODE, 0, 4);
    append(data, off, length);
  }

  private void append(byte[] data, int off, int length) {
    if (auBroken) {
      return;
    }
    int needed = (auLength == 0 ? AUD.length : 0) + length;
    if (auLength + needed > maxAccessUnitBytes) {
      auBroken = true;
      return;
    }
    if (auLength + needed > au.length) {
      au =
          Arrays.copyOf(
              au, Math.min(maxAccessUnitBytes, Math.max(au.length * 2, auLength + needed)));
    }
    if (auLength == 0) {
      System.arraycopy(AUD, 0, au, 0, AUD.length);
      auLength = AUD.length;
    }
    System.arraycopy(data, off, au, auLength, length);
    auLength += length;
  }

  private void finishAccessUnit() {
    boolean usable = !auBroken && auLength > 0 && (!auHasIdr || (auHasSps && auHasPps));
    if (usable && waitingForIdr && !auHasIdr) {
      usable = false;
    }
    if (usable) {
      waitingForIdr = false;
      sink.accessUnit(auTimestamp, au, auLength, auHasIdr);
    } else if (auLength > 0 || auBroken) {
      droppedAccessUnits++;
      waitingForIdr = true;
      keyframeNeeded.run();
    }
    auLength = 0;
    auHasIdr = false;
    auHasSps = false;
    auHasPps = false;
    auBroken = false;
    auTimestamp = -1;
  }
}
