package io.hlspipeline.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hlspipeline.devstack.CephRgw;
import io.hlspipeline.devstack.S3Server;
import io.hlspipeline.devstack.SharedDevstack;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;

/**
 * {@link SegmentStoreContract} against real S3 servers: three S3Proxy servers from the devstack
 * always, and a real Ceph RGW from {@link CephRgw#shared()} — started here when Ceph is installed,
 * or the one {@code HLS_TEST_CEPH_ENV} names; skipped, saying how to install Ceph, otherwise.
 */
class SegmentStoreIT {
  private static final String BUCKET = "storage-it";

  @Nested
  class OnS3Proxy extends SegmentStoreContract {
    @Override
    List<S3Endpoint> liveEndpoints() {
      return IntStream.range(0, 3).mapToObj(i -> endpoint(SharedDevstack.s3(i))).toList();
    }

    private static S3Endpoint endpoint(S3Server server) {
      return new S3Endpoint(
          server.id(),
          server.endpoint(),
          server.region(),
          server.accessKey(),
          server.secretKey(),
          BUCKET);
    }
  }

  /**
   * One RGW stands in for three servers: three endpoints with their own ids and buckets on it. That
   * tests the SDK settings against RGW; placement and failover behave as with separate hosts.
   */
  @Nested
  class OnCephRgw extends SegmentStoreContract {
    @Override
    List<S3Endpoint> liveEndpoints() {
      // Checked here, as the superclass's @BeforeEach runs before any of this class's.
      CephRgw ceph = CephRgw.shared().orElse(null);
      assumeTrue(ceph != null, "Ceph RGW part skipped. " + CephRgw.unavailableMessage());
      return List.of("a", "b", "c").stream()
          .map(
              s ->
                  new S3Endpoint(
                      "rgw-" + s,
                      ceph.endpoint(),
                      ceph.region(),
                      ceph.accessKey(),
                      ceph.secretKey(),
                      BUCKET + "-" + s))
          .toList();
    }
  }
}
