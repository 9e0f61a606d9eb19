package io.hlspipeline.ingest.whip;

import static org.assertj.core.api.Assertions.assertThat;

import io.hlspipeline.ingest.rtmp.Ffprobe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the WHIP ITs require of a stream's TS with audio: H.264 and AAC-LC to ffprobe, audio as long
 * as the video (± {@link #MAX_DURATION_DIFFERENCE_90K}) and starting with it (± {@link
 * #MAX_START_DIFFERENCE_90K}). Also the transcoder processes of this JVM, for their CPU time and to
 * see that none outlives its session.
 */
final class AudioVideoCheck {
  static final long MAX_DURATION_DIFFERENCE_90K = 45_000; // 0.5 s
  static final long MAX_START_DIFFERENCE_90K = 9_000; // 100 ms
  private static final long AAC_FRAME_90K = 1920; // 1024 samples at 48 kHz

  private AudioVideoCheck() {}

  /** Checks {@code ts} and prints the figures under {@code label}. */
  static void assertAudioWithVideo(Path ts, String label) throws Exception {
    assertThat(Ffprobe.DEBIAN.codec(ts, "v")).isEqualTo("h264");
    assertThat(streamEntries(ts, "a", "codec_name,profile,sample_rate")).isEqualTo("aac,LC,48000");
    List<Ffprobe.Packet> video = Ffprobe.DEBIAN.packets(ts, "v");
    List<Ffprobe.Packet> audio = Ffprobe.DEBIAN.packets(ts, "a");
    assertThat(audio).as("AAC frames").hasSizeGreaterThan(100);
    long videoFrame90k = video.get(1).pts() - video.get(0).pts();
    long videoDuration = video.get(video.size() - 1).pts() - video.get(0).pts() + videoFrame90k;
    long audioDuration = audio.get(audio.size() - 1).pts() - audio.get(0).pts() + AAC_FRAME_90K;
    long startDifference = audio.get(0).pts() - video.get(0).pts();
    System.out.printf(
        "%s: video %d frames %.3f s, audio %d AAC frames %.3f s; audio starts %+.1f ms from the"
            + " video, ends %+.1f ms from it%n",
        label,
        video.size(),
        videoDuration / 90_000.0,
        audio.size(),
        audioDuration / 90_000.0,
        startDifference / 90.0,
        (audio.get(0).pts() + audioDuration - video.get(0).pts() - videoDuration) / 90.0);
    assertThat(Math.abs(audioDuration - videoDuration))
        .as("audio %d vs video %d (90 kHz)", audioDuration, videoDuration)
        .isLessThanOrEqualTo(MAX_DURATION_DIFFERENCE_90K);
    assertThat(Math.abs(startDifference))
        .as("audio start - video start (90 kHz)")
        .isLessThanOrEqualTo(MAX_START_DIFFERENCE_90K);
    for (int i = 1; i < audio.size(); i++) {
      assertThat(audio.get(i).pts()).as("AAC frame %d", i).isGreaterThan(audio.get(i - 1).pts());
    }
  }

  private static String streamEntries(Path ts, String type, String entries) throws Exception {
    Process p =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                type + ":0",
                "-show_entries",
                "stream=" + entries,
                "-of",
                "csv=p=0",
                ts.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
  }

  /** This JVM's transcoder child processes (ffmpeg writing ADTS to its stdout). */
  static List<ProcessHandle> transcoders() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().arguments().map(args -> List.of(args).contains("adts")).orElse(false))
        .toList();
  }

  /** The CPU time of this JVM's transcoders now (summed), zero when there is none. */
  static Duration transcoderCpu() {
    return transcoders().stream()
        .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
        .reduce(Duration.ZERO, Duration::plus);
  }
}
