package io.hlspipeline.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignedPathTest {
  @Test
  void parse_splitsTokenAndHlsPath() {
    SignedPath p = SignedPath.parse("/s/1767225600.abc/hls/live1/src/42.ts");
    assertThat(p.token()).isEqualTo("1767225600.abc");
    assertThat(p.hlsPath()).isEqualTo("/hls/live1/src/42.ts");
    assertThat(p.streamId()).isEqualTo("live1");
    assertThat(p.urlPrefix()).isEqualTo("/s/1767225600.abc");
  }

  @Test
  void parse_masterAndRecordings() {
    assertThat(SignedPath.parse("/s/t/hls/live1/master.m3u8").hlsPath())
        .isEqualTo("/hls/live1/master.m3u8");
    SignedPath rec = SignedPath.parse("/s/t/hls/live1/recordings");
    assertThat(rec.hlsPath()).isEqualTo("/hls/live1/recordings");
    assertThat(rec.streamId()).isEqualTo("live1");
  }

  @Test
  void relativeUris_resolvedAgainstASignedPlaylist_keepTheToken() {
    java.net.URI master = java.net.URI.create("http://edge/s/TOKEN/hls/live1/master.m3u8");
    java.net.URI variant = master.resolve("src/index.m3u8");
    assertThat(variant.getPath()).isEqualTo("/s/TOKEN/hls/live1/src/index.m3u8");
    assertThat(SignedPath.parse(variant.resolve("42.ts").getPath()).hlsPath())
        .isEqualTo("/hls/live1/src/42.ts");
  }

  @Test
  void parse_refusesPathsThatAreNotSignedHls() {
    for (String bad :
        new String[] {
          "/s/",
          "/s//hls/live1/master.m3u8",
          "/s/Q9zz",
          "/s/Q9zz/",
          "/s/Q9zz/other/live1/master.m3u8",
          "/s/Q9zz/hls/",
          "/s/Q9zz/hls/live1",
          "/s/Q9zz/hls/Bad%2Fid/master.m3u8",
          "/s/Q9zz/hls/../master.m3u8",
          "/hls/live1/master.m3u8",
          "/s/Q9zz/hls/live1/" + "a".repeat(400),
        }) {
      assertThatThrownBy(() -> SignedPath.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Q9zz"));
    }
    assertThatThrownBy(() -> SignedPath.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
