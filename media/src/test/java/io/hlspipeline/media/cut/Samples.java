package io.hlspipeline.media.cut;

import io.hlspipeline.media.MalformedMediaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/** Test helpers: the sample files and a cutter run that collects its output. */
final class Samples {
  static final Path DIR = Path.of("src/test/resources/samples");

  private Samples() {}

  static byte[] read(String name) throws IOException {
    return Files.readAllBytes(DIR.resolve(name));
  }

  /** The segments and parts of one cutter run. */
  record Output(List<CutSegment> segments, List<CutPart> parts) {}

  /**
   * Cuts {@code input}, feeding chunks whose sizes come from {@code chunkSize} (called per chunk).
   */
  static Output cut(byte[] input, long targetUs, long partUs, IntUnaryOperator chunkSize)
      throws MalformedMediaException {
    return cut(input, targetUs, partUs, SegmentCutter.Output.DATA, chunkSize);
  }

  /** {@link #cut(byte[], long, long, IntUnaryOperator)} with the given cutter output mode. */
  static Output cut(
      byte[] input,
      long targetUs,
      long partUs,
      SegmentCutter.Output output,
      IntUnaryOperator chunkSize)
      throws MalformedMediaException {
    List<CutSegment> segments = new ArrayList<>();
    List<CutPart> parts = new ArrayList<>();
    SegmentCutter cutter =
        new SegmentCutter(
            targetUs,
            partUs,
            output,
            new SegmentCutter.Listener() {
              @Override
              public void onSegment(CutSegment segment) {
                segments.add(segment);
              }

              @Override
              public void onPart(CutPart part) {
                parts.add(part);
              }
            });
    int pos = 0;
    for (int i = 0; pos < input.length; i++) {
      int n = Math.min(Math.max(1, chunkSize.applyAsInt(i)), input.length - pos);
      cutter.accept(input, pos, n);
      pos += n;
    }
    cutter.finish();
    return new Output(segments, parts);
  }

  static Output cut(byte[] input, long targetUs) throws MalformedMediaException {
    return cut(input, targetUs, 0, i -> 64 * 1024);
  }

  /** True when an ffmpeg binary runs. */
  static boolean ffmpegAvailable() {
    try {
      Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs ffmpeg with {@code args} in {@code dir}; returns its stderr. */
  static String ffmpeg(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String err = new String(p.getErrorStream().readAllBytes());
    int exit = p.waitFor();
    return exit == 0 ? err : "exit " + exit + ": " + err;
  }
}
