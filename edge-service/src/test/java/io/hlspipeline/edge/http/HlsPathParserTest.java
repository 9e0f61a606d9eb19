package io.hlspipeline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.events.segments.SegmentFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HlsPathParserTest {
  private final HlsPathParser parser = new HlsPathParser();

  @Test
  void parse_master_givesMultivariant() throws Exception {
    assertThat(parser.parse("/hls/live-1/master.m3u8"))
        .isEqualTo(new HlsRequest.Multivariant("live-1"));
  }

  @Test
  void parse_index_givesMediaPlaylist() throws Exception {
    assertThat(parser.parse("/hls/live_1/src/index.m3u8"))
        .isEqualTo(new HlsRequest.MediaPlaylist("live_1", "src"));
  }

  @Test
  void parse_segment_givesMsn() throws Exception {
    assertThat(parser.parse("/hls/a/src/0.ts")).isEqualTo(new HlsRequest.Segment("a", "src", 0));
    assertThat(parser.parse("/hls/a/720p/123456789012345678.ts"))
        .isEqualTo(new HlsRequest.Segment("a", "720p", 123456789012345678L));
  }

  @Test
  void parse_fmp4_givesSegmentInItsFormat_andInit() throws Exception {
    assertThat(parser.parse("/hls/a/src/7.m4s"))
        .isEqualTo(new HlsRequest.Segment("a", "src", 7, SegmentFormat.FMP4));
    assertThat(parser.parse("/hls/a/src/7.ts"))
        .isEqualTo(new HlsRequest.Segment("a", "src", 7, SegmentFormat.TS));
    assertThat(parser.parse("/hls/a/src/init-0123456789abcdef.mp4"))
        .isEqualTo(new HlsRequest.Init("a", "src", "init-0123456789abcdef.mp4"));
    assertThatThrownBy(() -> parser.parse("/hls/a/src/07.m4s"))
        .isInstanceOfSatisfying(BadPathException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/hls/",
        "/hls//master.m3u8",
        "/hls/../master.m3u8",
        "/hls/a/../b/master.m3u8",
        "/hls/a/src/../../etc/passwd",
        "/hls/a/src/..%2f..%2fsecret.ts",
        "/hls/a%2fb/master.m3u8",
        "/hls/a/src%2F..%2Fother/index.m3u8",
        "/hls/%2e%2e/src/1.ts",
        "/hls/a/src/%31.ts",
        "/hls/a/./index.m3u8",
        "/hls/a/src/./1.ts",
        "/hls/a\\b/master.m3u8",
        "/hls/a/src\\..\\x/1.ts",
        "/hls/A/master.m3u8",
        "/hls/-a/master.m3u8",
        "/hls/_a/master.m3u8",
        "/hls/a/SRC/index.m3u8",
        "/hls/a/src/1.ts/",
        "/hls/a/src/index.m3u8/",
        "/hls/a/src/x/1.ts",
        "/hls/a//1.ts",
        "/hls/a/src/.ts",
        "/hls/a/src/-1.ts",
        "/hls/a/src/+1.ts",
        "/hls/a/src/01.ts",
        "/hls/a/src/00.ts",
        "/hls/a/src/1e3.ts",
        "/hls/a/src/0x10.ts",
        "/hls/a/src/1.5.5.ts",
        "/hls/a/src/1.05.ts",
        "/hls/a/src/1..ts",
        "/hls/a/src/1.-1.ts",
        "/hls/a/src/1.+1.m4s",
        "/hls/a/src/1.1234567.ts",
        "/hls/a/src/.1.ts",
        "/hls/a/src/01.1.ts",
        "/hls/a/src/1234567890123456789.ts",
        "/hls/a/src/99999999999999999999999999999999.ts",
        "/hls/a/src/１.ts",
        "/hls/é/master.m3u8",
        "/hls/a/src/1.ts%00",
        "/hls/a/src/1.ts\u0000",
        "/hls/a/src/1 .ts",
        "/hls/a/src/..ts",
        "/hls/a/src/index.m3u8;jsessionid=1",
        "/hls/a/master.m3u8%3F",
        "/hls/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/master.m3u8",
        "/hls/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/index.m3u8",
      })
  void parse_hostilePath_isBadRequest(String path) {
    assertThatThrownBy(() -> parser.parse(path))
        .isInstanceOfSatisfying(BadPathException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/etc/passwd",
        "/hlsx/a/master.m3u8",
        "/HLS/a/master.m3u8",
        "/hls/a/index.m3u8",
        "/hls/a/src/init.mp4",
        "/hls/a/src/1.mp4",
        "/hls/a/src/init-0123456789abcde.mp4",
        "/hls/a/src/master.m3u8"
      })
  void parse_wellFormedButNotServed_isNotFound(String path) {
    assertThatThrownBy(() -> parser.parse(path))
        .isInstanceOfSatisfying(BadPathException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void parse_part_namesMsnPartAndContainer() throws Exception {
    assertThat(parser.parse("/hls/live1/src/42.3.ts"))
        .isEqualTo(new HlsRequest.Part("live1", "src", 42, 3, SegmentFormat.TS));
    assertThat(parser.parse("/hls/live1/src/0.0.m4s"))
        .isEqualTo(new HlsRequest.Part("live1", "src", 0, 0, SegmentFormat.FMP4));
    assertThat(parser.parse("/hls/live1/src/7.999999.ts"))
        .isEqualTo(new HlsRequest.Part("live1", "src", 7, 999_999, SegmentFormat.TS));
  }

  @Test
  void parse_hugePath_isRejectedWithoutEcho() {
    String path = "/hls/a/src/" + "1".repeat(100_000) + ".ts";
    assertThatThrownBy(() -> parser.parse(path))
        .isInstanceOf(BadPathException.class)
        .hasMessageNotContaining("111");
  }

  @Test
  void parse_errorMessage_neverEchoesInput() {
    assertThatThrownBy(() -> parser.parse("/hls/<script>/master.m3u8"))
        .isInstanceOf(BadPathException.class)
        .hasMessageNotContaining("script");
  }
}
