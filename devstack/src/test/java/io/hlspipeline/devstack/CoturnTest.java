package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoturnTest {
  /** Lines as coturn 4.6.1 (Debian) logged them for a turnutils_uclient session. */
  private static final String LOG =
      """
      0: : session 001000000000000002: new, realm=<hls-test>, username=<1796190420:cam1>,\
       lifetime=600
      0: : session 000000000000000003: new, realm=<hls-test>, username=<1796190420:cam2>,\
       lifetime=600
      1: : session 001000000000000002: realm <hls-test> user <1796190420>: incoming packet\
       REFRESH processed, success
      7: : session 001000000000000002: usage: realm=<hls-test>, username=<1796190420:cam1>,\
       rp=28, rb=4948, sp=28, sb=4784
      7: : session 001000000000000002: peer usage: realm=<hls-test>,\
       username=<1796190420:cam1>, rp=20, rb=4000, sp=21, sb=4200
      7: : session 001000000000000002: closed (2nd stage), user <1796190420:cam1> realm\
       <hls-test> origin <>, local 127.0.0.1:34780, remote 127.0.0.1:41076, reason: allocation\
       timeout
      """;

  @Test
  void usage_readsClientAndPeerCountersOfClosedSessions() {
    assertThat(Coturn.usage(LOG))
        .containsExactly(
            new Coturn.Usage("001000000000000002", false, "1796190420:cam1", 28, 4948, 28, 4784),
            new Coturn.Usage("001000000000000002", true, "1796190420:cam1", 20, 4000, 21, 4200));
  }

  @Test
  void allocations_listsTheSessionsAUserOpened() {
    assertThat(Coturn.allocations(LOG, ":cam1")).containsExactly("001000000000000002");
    assertThat(Coturn.allocations(LOG, ":cam2")).containsExactly("000000000000000003");
    assertThat(Coturn.allocations(LOG, ":cam3")).isEmpty();
  }

  @Test
  void usage_whenNoSessionClosed_isEmpty() {
    assertThat(Coturn.usage("0: : Relay address to use: 127.0.0.1\n")).isEmpty();
  }
}
