package io.hlspipeline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.segments.SegmentFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordingHandlerTest {
  private static RecordingHandler.Target parse(String path) throws BadPathException {
    return RecordingHandler.parse(path.substring(HlsPathParser.PREFIX.length()).split("/", -1));
  }

  @Test
  void parse_theFourKindsOfRecordingPath() throws Exception {
    String id = "20261130T230755.280Z-be79ddb0";
    assertThat(parse("/hls/cam/recordings"))
        .isEqualTo(new RecordingHandler.Target("cam", null, null, null, -1));
    assertThat(parse("/hls/cam/recordings/" + id + "/master.m3u8"))
        .isEqualTo(new RecordingHandler.Target("cam", id, null, "master.m3u8", -1));
    assertThat(parse("/hls/cam/recordings/latest/src/index.m3u8"))
        .isEqualTo(new RecordingHandler.Target("cam", "latest", "src", "index.m3u8", -1));
    assertThat(parse("/hls/cam/recordings/" + id + "/src/42.ts"))
        .isEqualTo(
            new RecordingHandler.Target("cam", id, "src", "42.ts", 42, SegmentFormat.TS, false));
  }

  @Test
  void parse_fmp4SegmentsAndInitSegments() throws Exception {
    String id = "20261130T230755.280Z-be79ddb0";
    assertThat(parse("/hls/cam/recordings/" + id + "/src/42.m4s"))
        .isEqualTo(
            new RecordingHandler.Target("cam", id, "src", "42.m4s", 42, SegmentFormat.FMP4, false));
    assertThat(parse("/hls/cam/recordings/" + id + "/src/init-0123456789abcdef.mp4"))
        .isEqualTo(
            new RecordingHandler.Target(
                "cam", id, "src", "init-0123456789abcdef.mp4", -1, null, true));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/hls/Cam/recordings",
        "/hls/cam/recordings/",
        "/hls/cam/recordings/..",
        "/hls/cam/recordings/a..b/master.m3u8",
        "/hls/cam/recordings/.x/master.m3u8",
        "/hls/cam/recordings/id",
        "/hls/cam/recordings/id/src",
        "/hls/cam/recordings/id/SRC/index.m3u8",
        "/hls/cam/recordings/id/src/042.ts",
        "/hls/cam/recordings/id/src/x/index.m3u8",
        "/hls/cam/recordings/id%2F/master.m3u8"
      })
  void parse_malformed_400(String path) {
    assertThatThrownBy(() -> parse(path))
        .isInstanceOfSatisfying(BadPathException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void parse_unknownFile_404() {
    assertThatThrownBy(() -> parse("/hls/cam/recordings/id/src/init-0.mp4"))
        .isInstanceOfSatisfying(BadPathException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void preloadLink_namesEachSegmentRelativeToThePlaylist() {
    assertThat(HlsHandler.preloadLink(List.of("5.ts", "6.m4s")))
        .isEqualTo("<5.ts>; rel=preload, <6.m4s>; rel=preload");
    assertThat(RecordingHandler.recordingBase("cam", "abc")).isEqualTo("/hls/cam/recordings/abc/");
  }
}
