package io.hlspipeline.ingest.whip.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

class AudioClockTest {
  private static final long START = 180_000;
  private static final long VIDEO_RTP0 = 1_000;

  /** The video muxer's mapping: its first frame (RTP 1000) at PTS 180000. */
  private static final LongUnaryOperator VIDEO_PTS = rtp -> START + (int) (rtp - VIDEO_RTP0);

  @Test
  void arrivalMapping_sameInstant_putsSampleZeroOnTheVideosFirstFrame() {
    AudioClock clock = new AudioClock();
    clock.videoPacket(VIDEO_RTP0, 1_000_000);

    assertThat(clock.pts90k(0, VIDEO_PTS)).as("no audio yet").isEqualTo(AudioClock.UNKNOWN);
    assertThat(clock.audioPacket(5_000, 960, 1_000_000)).isZero();

    assertThat(clock.source()).isEqualTo(AudioClock.Source.ARRIVAL);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START);
    assertThat(clock.pts90k(48_000, VIDEO_PTS)).isEqualTo(START + 90_000);
    assertThat(clock.pts90k(1024, VIDEO_PTS)).isEqualTo(START + 1920);
  }

  @Test
  void arrivalMapping_audioArrivingLater_isPlacedLater() {
    AudioClock clock = new AudioClock();
    clock.videoPacket(VIDEO_RTP0, 1_000_000);
    clock.audioPacket(5_000, 960, 1_100_000); // 100 ms after the video's first packet

    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START + 9_000);
  }

  @Test
  void arrivalMapping_followsTheLeastDelayedPacket_notABurstReleasedLate() {
    AudioClock clock = new AudioClock();
    clock.videoPacket(VIDEO_RTP0, 1_000_000);
    // the first audio packet waited 300 ms (queued during the DTLS handshake) ...
    clock.audioPacket(5_000, 960, 1_300_000);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START + 27_000);
    // ... the next ones come on time: 20 ms of RTP after the first, 20 ms of wall clock
    long sampleTime = clock.audioPacket(5_960, 960, 1_020_000);

    assertThat(sampleTime).isEqualTo(960);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START);
    assertThat(clock.offsetMoves()).isEqualTo(1);
  }

  @Test
  void senderReports_whenBothStreamsHaveOne_winOverArrival() {
    AudioClock clock = new AudioClock();
    clock.videoPacket(VIDEO_RTP0, 1_000_000);
    clock.audioPacket(5_000, 960, 1_000_000);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START);
    // the publisher says: audio RTP 5000 was captured 50 ms after video RTP 1000
    clock.videoSenderReport(3_000_000_000L, VIDEO_RTP0);
    assertThat(clock.pts90k(0, VIDEO_PTS)).as("one report is not a mapping").isEqualTo(START);
    clock.audioSenderReport(3_000_050_000L, 5_000);

    assertThat(clock.source()).isEqualTo(AudioClock.Source.SENDER_REPORTS);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START + 4_500);
    assertThat(clock.offsetMoves()).isEqualTo(1);
  }

  @Test
  void senderReports_smallDisagreements_doNotMoveTheOffset_largeOnesDo() {
    AudioClock clock = new AudioClock();
    clock.audioPacket(5_000, 960, 0);
    clock.videoSenderReport(3_000_000_000L, VIDEO_RTP0);
    clock.audioSenderReport(3_000_000_000L, 5_000);
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START);

    clock.audioSenderReport(3_000_010_000L, 5_000); // 10 ms: within MAX_DRIFT_90K
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START);
    clock.audioSenderReport(3_000_030_000L, 5_000); // 30 ms: beyond
    assertThat(clock.pts90k(0, VIDEO_PTS)).isEqualTo(START + 2_700);
  }

  @Test
  void audioPacket_countsSamplesAcrossTheRtpWrap_dropsLateOnes_andClosesLongJumps() {
    AudioClock clock = new AudioClock();
    long nearWrap = 0xFFFF_FFFFL - 500;

    assertThat(clock.audioPacket(nearWrap, 960, 0)).isZero();
    assertThat(clock.audioPacket((nearWrap + 960) & 0xFFFF_FFFFL, 960, 20_000)).isEqualTo(960);
    // one packet lost: the next is 40 ms on, its gap is left for the transcoder to fill
    assertThat(clock.audioPacket((nearWrap + 2880) & 0xFFFF_FFFFL, 960, 60_000)).isEqualTo(2880);
    assertThat(clock.audioPacket((nearWrap + 1920) & 0xFFFF_FFFFL, 960, 61_000))
        .as("late")
        .isEqualTo(AudioClock.UNKNOWN);
    // a 10 s jump (the sender's clock restarted): audio goes on right after the last packet
    assertThat(clock.audioPacket((nearWrap + 2880 + 480_000) & 0xFFFF_FFFFL, 960, 80_000))
        .isEqualTo(3840);
  }

  @Test
  void samplesTo90k_isExactForWholeFrames() {
    assertThat(AudioClock.samplesTo90k(1024)).isEqualTo(1920);
    assertThat(AudioClock.samplesTo90k(960)).isEqualTo(1800);
    assertThat(AudioClock.samplesTo90k(-1024)).isEqualTo(-1920);
  }
}
