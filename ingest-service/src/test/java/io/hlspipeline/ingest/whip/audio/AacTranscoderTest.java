package io.hlspipeline.ingest.whip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transcoder with real child processes: Debian's ffmpeg, and ones that misbehave. */
class AacTranscoderTest {
  @TempDir Path dir;

  /** Feeds real Opus packets as Ogg pages, with {@code gapPackets} left out in the middle. */
  private static int feed(AacTranscoder t, List<byte[]> packets, int gapPackets) {
    OggOpusWriter ogg = new OggOpusWriter(7, 2);
    assertThat(t.write(ogg.headers())).isTrue();
    long granule = 0;
    int fed = 0;
    int gapAt = packets.size() / 2;
    for (int i = 0; i < packets.size(); i++) {
      byte[] p = packets.get(i);
      granule += OpusToc.samples48k(p, 0, p.length);
      if (i >= gapAt && i < gapAt + gapPackets) {
        continue; // lost on the way: the granule position jumps
      }
      assertThat(t.write(ogg.audioPage(p, 0, p.length, granule))).isTrue();
      fed++;
    }
    return fed;
  }

  private static List<byte[]> takeFrames(AacTranscoder t, int count) {
    List<byte[]> frames = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              byte[] f;
              while ((f = t.poll()) != null) {
                frames.add(f);
              }
              return frames.size() >= count || t.failure() != null;
            });
    return frames;
  }

  @Test
  void ffmpeg_turnsOggOpusIntoAacLcFrames_fillingGapsWithSilence() throws Exception {
    List<byte[]> packets = OggOpusFiles.packets(OggOpusFiles.encodeSine(dir, 4));
    long inputSamples = packets.size() * 960L;
    int expectedFrames = (int) ((inputSamples + WhipAudio.AAC_ENCODER_DELAY_SAMPLES) / 1024);
    try (AacTranscoder t = AacTranscoder.start(AacTranscoder.command("ffmpeg"), "test")) {
      // 10 packets (200 ms) lost in the middle: the output keeps its length
      feed(t, packets, 10);
      // the encoder keeps its look-ahead (two frames here) until more input comes; without the
      // gap filled there would be ~9 frames fewer
      List<byte[]> frames = takeFrames(t, expectedFrames - 3);

      assertThat(t.failure()).isNull();
      assertThat(frames.size()).isBetween(expectedFrames - 3, expectedFrames + 1);
      ByteArrayOutputStream aac = new ByteArrayOutputStream();
      frames.forEach(aac::writeBytes);
      Path file = dir.resolve("out.aac");
      Files.write(file, aac.toByteArray());
      String probe =
          OggOpusFiles.run(
              "ffprobe",
              "-v",
              "error",
              "-count_packets",
              "-show_entries",
              "stream=codec_name,profile,sample_rate,channels,nb_read_packets",
              "-of",
              "default=noprint_wrappers=1",
              file.toString());
      assertThat(probe)
          .contains(
              "codec_name=aac",
              "profile=LC",
              "sample_rate=48000",
              "channels=2",
              "nb_read_packets=" + frames.size());
      System.out.printf(
          "transcoder: %d Opus packets (200 ms lost) -> %d AAC frames%n",
          packets.size() - 10, frames.size());
    }
  }

  @Test
  void endInput_letsTheProcessWriteWhatItHolds_andFinish() throws Exception {
    List<byte[]> packets = OggOpusFiles.packets(OggOpusFiles.encodeSine(dir, 2));
    try (AacTranscoder t = AacTranscoder.start(AacTranscoder.command("ffmpeg"), "test")) {
      feed(t, packets, 0);
      t.endInput();
      List<byte[]> frames = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                boolean finished = t.finished(); // then every frame is already queued
                byte[] f;
                while ((f = t.poll()) != null) {
                  frames.add(f);
                }
                return finished;
              });

      assertThat(t.failure()).as("an end asked for is no failure").isNull();
      // every input sample is in a frame: the encoder's look-ahead came out at the end
      long samples = packets.size() * 960L + WhipAudio.AAC_ENCODER_DELAY_SAMPLES;
      assertThat((long) frames.size() * 1024).isGreaterThanOrEqualTo(samples);
      assertThat(t.write(new byte[1])).as("no input after the end").isFalse();
    }
  }

  @Test
  void close_killsAndReapsTheProcess() throws Exception {
    AacTranscoder t = AacTranscoder.start(AacTranscoder.command("ffmpeg"), "test");
    ProcessHandle process = t.processHandle();
    assertThat(process.isAlive()).isTrue();

    t.close();

    assertThat(process.isAlive()).isFalse();
    assertThat(ProcessHandle.current().children().map(ProcessHandle::pid))
        .doesNotContain(process.pid());
    assertThat(t.failure()).as("closing is not failing").isNull();
    assertThat(t.write(new byte[1])).isFalse();
    t.close(); // idempotent
  }

  @Test
  void processThatStopsReading_isStuck_killed_andRefusesMore() throws Exception {
    AacTranscoder t = AacTranscoder.start(List.of("sleep", "60"), "test");
    ProcessHandle process = t.processHandle();
    byte[] page = new byte[1024];
    int written = 0;
    // the pipe takes 64 KiB, the queue INPUT_QUEUE_PAGES: then it must give up
    while (t.write(page) && written < 10_000) {
      written++;
    }

    assertThat(written).isLessThan(10_000);
    assertThat(t.failure()).startsWith("stuck");
    assertThat(process.isAlive()).isFalse();
    t.close();
  }

  @Test
  void processThatDies_isAFailureWithItsStatusAndLastErrorLine() throws Exception {
    AacTranscoder t =
        AacTranscoder.start(List.of("sh", "-c", "echo 'Invalid data found' >&2; exit 3"), "test");

    await().atMost(Duration.ofSeconds(10)).until(() -> t.failure() != null);

    assertThat(t.failure()).isEqualTo("it exited with status 3: Invalid data found");
    assertThat(t.write(new byte[1])).isFalse();
    t.close();
  }

  @Test
  void probe_saysWhyAMissingExecutableCannotTranscode() throws Exception {
    assertThat(AacTranscoder.probe("ffmpeg", Duration.ofSeconds(10))).isNull();
    assertThat(AacTranscoder.probe("/nonexistent/ffmpeg", Duration.ofSeconds(10)))
        .startsWith("cannot run /nonexistent/ffmpeg");
    assertThat(AacTranscoder.probe("false", Duration.ofSeconds(10)))
        .isEqualTo("false -version exited with 1");
  }
}
