package io.hlspipeline.ingest.whip.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdtsFrameSplitterTest {
  @TempDir static Path dir;
  private static byte[] adts;
  private static int ffprobeFrames;

  /** 2 s of AAC-LC from Debian's ffmpeg as ADTS, and ffprobe's count of its frames. */
  @BeforeAll
  static void encode() throws Exception {
    Path file = dir.resolve("sine.aac");
    OggOpusFiles.run(
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1000:sample_rate=48000",
        "-t",
        "2",
        "-ac",
        "2",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-f",
        "adts",
        file.toString());
    adts = Files.readAllBytes(file);
    String probe =
        OggOpusFiles.run(
            "ffprobe",
            "-v",
            "error",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets",
            "-of",
            "csv=p=0",
            file.toString());
    ffprobeFrames = Integer.parseInt(probe.trim());
  }

  private static List<byte[]> split(byte[] data, int chunkBytes, AdtsFrameSplitter[] out) {
    List<byte[]> frames = new ArrayList<>();
    AdtsFrameSplitter splitter = new AdtsFrameSplitter(frames::add);
    for (int p = 0; p < data.length; p += chunkBytes) {
      splitter.push(data, p, Math.min(chunkBytes, data.length - p));
    }
    out[0] = splitter;
    return frames;
  }

  @Test
  void push_inOneByteChunks_yieldsEveryFrameFfprobeCounts() {
    AdtsFrameSplitter[] splitter = new AdtsFrameSplitter[1];
    List<byte[]> frames = split(adts, 1, splitter);

    assertThat(ffprobeFrames).isGreaterThan(90); // 2 s at 48 kHz: ~94 frames
    assertThat(frames).hasSize(ffprobeFrames);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    frames.forEach(joined::writeBytes);
    assertThat(joined.toByteArray()).isEqualTo(adts);
    assertThat(splitter[0].skippedBytes()).isZero();
  }

  @Test
  void push_inRandomChunks_yieldsTheSameFrames() {
    Random random = new Random(7);
    List<byte[]> frames = new ArrayList<>();
    AdtsFrameSplitter splitter = new AdtsFrameSplitter(frames::add);
    for (int p = 0; p < adts.length; ) {
      int n = Math.min(1 + random.nextInt(20_000), adts.length - p);
      splitter.push(adts, p, n);
      p += n;
    }

    assertThat(frames).hasSize(ffprobeFrames);
    assertThat(splitter.frames()).isEqualTo(ffprobeFrames);
  }

  @Test
  void push_skipsJunkBeforeAndBetweenFrames_andCountsIt() {
    AdtsFrameSplitter[] first = new AdtsFrameSplitter[1];
    List<byte[]> clean = split(adts, adts.length, first);
    ByteArrayOutputStream dirty = new ByteArrayOutputStream();
    byte[] junk = {0, 0, (byte) 0xFF, 0, 0x47, (byte) 0xFF, (byte) 0x12};
    dirty.writeBytes(junk);
    for (byte[] frame : clean) {
      dirty.writeBytes(frame);
      dirty.writeBytes(junk);
    }

    AdtsFrameSplitter[] splitter = new AdtsFrameSplitter[1];
    List<byte[]> frames = split(dirty.toByteArray(), 333, splitter);

    assertThat(frames).hasSize(clean.size());
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i)).isEqualTo(clean.get(i));
    }
    // the junk after the last frame: its first byte is judged (7 bytes, a header's worth, are
    // there), the 6 after it wait for more
    assertThat(splitter[0].skippedBytes()).isEqualTo((long) junk.length * clean.size() + 1);
  }
}
