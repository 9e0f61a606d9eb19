package io.hlspipeline.segmenter.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestPositionsTest {
  @Test
  void recordHolding_beforeAnyChunk_isThePublishStartedRecord() {
    assertThat(new IngestPositions(5).recordHolding(0)).isEqualTo(5);
  }

  @Test
  void recordHolding_findsTheRecordWhoseBytesContainThePosition() {
    IngestPositions positions = new IngestPositions(5);
    positions.add(6, 1000); // bytes [0, 1000)
    positions.add(9, 1000); // bytes [1000, 2000) — records 7, 8 belong to other streams
    positions.add(12, 500); // bytes [2000, 2500)
    assertThat(positions.recordHolding(0)).isEqualTo(6);
    assertThat(positions.recordHolding(999)).isEqualTo(6);
    assertThat(positions.recordHolding(1000)).isEqualTo(9);
    assertThat(positions.recordHolding(2499)).isEqualTo(12);
    assertThat(positions.sessionBytes()).isEqualTo(2500);
  }

  @Test
  void recordHolding_whenPositionsAdvance_followsThem() {
    IngestPositions positions = new IngestPositions(0);
    positions.add(1, 100);
    positions.add(2, 100);
    assertThat(positions.recordHolding(150)).isEqualTo(2);
    positions.add(3, 100);
    assertThat(positions.recordHolding(299)).isEqualTo(3);
  }
}
