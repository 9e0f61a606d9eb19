package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CephRgwTest {
  @TempDir Path tmp;

  @Test
  void cephBinDirs_needsAllThreeDaemons() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    executable(bin.resolve("radosgw"));
    executable(bin.resolve("ceph-mon"));
    // /usr/bin etc. are searched too: only meaningful where Ceph is not installed system-wide.
    boolean systemCeph =
        List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin").stream()
            .anyMatch(d -> Files.isExecutable(Path.of(d, "ceph-osd")));
    if (!systemCeph) {
      assertThat(CephRgw.cephBinDirs(bin.toString())).isEmpty();
    }

    executable(bin.resolve("ceph-osd"));

    assertThat(CephRgw.cephBinDirs(bin.toString())).containsExactly(bin);
  }

  @Test
  void fromEnvFile_readsWhatRgwUpWrites() throws Exception {
    Path env = tmp.resolve("rgw.env");
    Files.writeString(
        env,
        "HLS_CEPH_S3_ENDPOINT=http://127.0.0.1:18480\n"
            + "HLS_CEPH_S3_ACCESS_KEY=AK\n"
            + "HLS_CEPH_S3_SECRET_KEY=SK\n"
            + "HLS_CEPH_S3_REGION=eu-1\n");

    CephRgw rgw = CephRgw.fromEnvFile(env);

    assertThat(rgw.endpoint()).isEqualTo(URI.create("http://127.0.0.1:18480"));
    assertThat(rgw.accessKey()).isEqualTo("AK");
    assertThat(rgw.secretKey()).isEqualTo("SK");
    assertThat(rgw.region()).isEqualTo("eu-1");
    assertThat(rgw.toString()).doesNotContain("SK");
  }

  @Test
  void fromEnvFile_namesTheMissingVariable() throws Exception {
    Path env = tmp.resolve("rgw.env");
    Files.writeString(env, "HLS_CEPH_S3_ENDPOINT=http://127.0.0.1:1\nHLS_CEPH_S3_ACCESS_KEY=AK\n");

    assertThatThrownBy(() -> CephRgw.fromEnvFile(env))
        .hasMessageContaining("HLS_CEPH_S3_SECRET_KEY");
  }

  @Test
  void unavailableMessage_saysHowToInstall() {
    assertThat(CephRgw.unavailableMessage())
        .contains("apt-get install -y ceph-mon ceph-osd radosgw")
        .contains(CephRgw.ENV_FILE_VARIABLE);
  }

  private static void executable(Path file) throws Exception {
    Files.writeString(file, "#!/bin/sh\n");
    file.toFile().setExecutable(true);
  }
}
