package io.hlspipeline.media.nal;

import io.hlspipeline.media.ts.ElementaryStream;
import io.hlspipeline.media.ts.PesPacket;
import io.hlspipeline.media.ts.PesPayloadMode;
import io.hlspipeline.media.ts.ProgramMap;
import io.hlspipeline.media.ts.StreamType;
import io.hlspipeline.media.ts.TsDemuxer;
import io.hlspipeline.media.ts.TsPacketSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test fixture for the Annex B readers: the video PES payloads of the sample files (see {@code
 * src/test/resources/samples/README.md}), a reader run over them, and what ffprobe reports for the
 * same file, to check the golden values the reader tests pin.
 */
public final class VideoSamples {
  public static final Path DIR = Path.of("src/test/resources/samples");

  private VideoSamples() {}

  /** One video PES: its PTS (33 bits, 90 kHz) and its whole payload (one access unit). */
  public record VideoPes(long pts90k, byte[] payload) {}

  /** Video PES payloads of {@code sample}, demuxed with {@link PesPayloadMode#COMPLETE}. */
  public static List<VideoPes> videoPes(String sample) throws Exception {
    byte[] input = Files.readAllBytes(DIR.resolve(sample));
    List<VideoPes> out = new ArrayList<>();
    TsDemuxer demuxer =
        new TsDemuxer(
            new TsDemuxer.Listener() {
              @Override
              public void onProgram(ProgramMap program) {}

              @Override
              public void onPes(ElementaryStream stream, PesPacket pes) {
                if (stream.streamType() == StreamType.H264
                    || stream.streamType() == StreamType.H265) {
                  int from = pes.payloadOffset();
                  out.add(
                      new VideoPes(
                          pes.pts90k(),
                          Arrays.copyOfRange(pes.data(), from, from + pes.payloadLength())));
                }
              }
            },
            PesPayloadMode.COMPLETE);
    new TsPacketSplitter(demuxer).accept(input, 0, input.length);
    demuxer.finish();
    return out;
  }

  /**
   * What a reader made of a sample, PES by PES.
   *
   * @param picturesPerPes {@link AnnexBReader#accessUnits()} after each PES, in decode order
   * @param keyframePts90k PTS of the PES for which {@link AnnexBReader#keyframe()} was true
   * @param sps the reader's SPS after the last PES
   */
  public record Run<S>(
      List<Integer> picturesPerPes, List<Long> keyframePts90k, S sps, long malformedSps) {
    public int pictures() {
      return picturesPerPes.stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** Feeds every video PES payload of {@code sample} to {@code reader}, one consume per PES. */
  public static <S> Run<S> run(AnnexBReader<S> reader, String sample) throws Exception {
    List<Integer> pictures = new ArrayList<>();
    List<Long> keyframes = new ArrayList<>();
    long offset = 0;
    for (VideoPes pes : videoPes(sample)) {
      reader.consume(pes.payload(), 0, pes.payload().length, offset);
      offset += pes.payload().length;
      pictures.add(reader.accessUnits());
      if (reader.keyframe()) {
        keyframes.add(pes.pts90k());
      }
    }
    return new Run<>(
        List.copyOf(pictures), List.copyOf(keyframes), reader.sps(), reader.malformedSps());
  }

  /** One decoded frame as ffprobe {@code -show_frames} reports it (presentation order). */
  public record ProbedFrame(long pts90k, boolean keyFrame, String pictType) {}

  /** True when an ffprobe binary runs. */
  public static boolean ffprobeAvailable() {
    try {
      return ffprobe("-version").exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * {@code ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames
   * -of csv=p=0 <sample>}.
   */
  public static int ffprobeReadFrames(String sample) throws IOException {
    String out =
        ffprobe(
                "-v",
                "error",
                "-count_frames",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_frames",
                "-of",
                "csv=p=0",
                DIR.resolve(sample).toString())
            .checkedStdout();
    // The stream is listed under its program and again on its own: the same count twice.
    return Integer.parseInt(out.strip().lines().findFirst().orElseThrow().strip());
  }

  /**
   * {@code ffprobe -v error -select_streams v:0 -show_entries frame=key_frame,pts,pict_type -of
   * csv=p=0 <sample>}.
   */
  public static List<ProbedFrame> ffprobeFrames(String sample) throws IOException {
    String out =
        ffprobe(
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "frame=key_frame,pts,pict_type",
                "-of",
                "csv=p=0",
                DIR.resolve(sample).toString())
            .checkedStdout();
    List<ProbedFrame> frames = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue; // side data (e.g. the first frame's) ends in an empty line
      }
      // Fields in ffprobe's own order: key_frame, pts, pict_type (and an empty side-data field).
      String[] f = line.strip().split(",");
      frames.add(new ProbedFrame(Long.parseLong(f[1]), f[0].equals("1"), f[2]));
    }
    return frames;
  }

  private record Result(int exitCode, String stdout, String stderr) {
    String checkedStdout() throws IOException {
      if (exitCode != 0) {
        throw new IOException("ffprobe exit " + exitCode + ": " + stderr);
      }
      return stdout;
    }
  }

  private static Result ffprobe(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ffprobe"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    try {
      // ffprobe's stderr is small with -v error; read stdout first, then stderr.
      String out = new String(p.getInputStream().readAllBytes());
      String err = new String(p.getErrorStream().readAllBytes());
      return new Result(p.waitFor(), out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroy();
      throw new IOException("interrupted waiting for ffprobe", e);
    }
  }
}
