package io.hlspipeline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hlspipeline.edge.http.HlsHandler.Directives;
import org.junit.jupiter.api.Test;

class DeliveryDirectivesTest {

  @Test
  void parse_readsMsnPartAndSkip_andIgnoresOtherParameters() {
    assertThat(Directives.parse(null)).isEqualTo(Directives.NONE);
    assertThat(Directives.parse("_HLS_msn=12&_HLS_part=3&_HLS_skip=YES&x=1"))
        .isEqualTo(new Directives(12, 3, true));
    assertThat(Directives.parse("_HLS_skip=v2")).isEqualTo(new Directives(-1, -1, true));
    assertThat(Directives.parse("t=5")).isEqualTo(Directives.NONE);
  }

  @Test
  void parse_malformedDirective_isRefusedWithAReason() {
    assertThatThrownBy(() -> Directives.parse("_HLS_msn=-1"))
        .hasMessage("_HLS_msn must be a non-negative integer");
    assertThatThrownBy(() -> Directives.parse("_HLS_part=1234567"))
        .hasMessage("_HLS_part must be a non-negative integer");
    assertThatThrownBy(() -> Directives.parse("_HLS_skip=yes"))
        .hasMessage("_HLS_skip must be YES or v2");
  }

  /** PART-TARGET 0.25 s: Advance Part Limit 12 parts; last listed part 3 of msn 10. */
  private static RenderedPlaylist listing(long partTargetUs) {
    return new RenderedPlaylist(
        new byte[0], null, "\"e\"", false, 9, "9.ts", 1, partTargetUs, 10, 3, null);
  }

  @Test
  void partTooFar_usesTheAdvancePartLimit() {
    RenderedPlaylist r = listing(250_000);
    assertThat(HlsHandler.partTooFar(r, 10, 15)).isFalse();
    assertThat(HlsHandler.partTooFar(r, 10, 16)).isTrue();
    assertThat(HlsHandler.partTooFar(r, 11, 11)).isFalse();
    assertThat(HlsHandler.partTooFar(r, 11, 12)).isTrue();
    assertThat(HlsHandler.partTooFar(r, 9, 500)).as("an older segment").isFalse();
    // A part target of a second or more: the limit is 3 parts.
    assertThat(HlsHandler.partTooFar(listing(1_000_000), 10, 6)).isFalse();
    assertThat(HlsHandler.partTooFar(listing(1_000_000), 10, 7)).isTrue();
  }
}
