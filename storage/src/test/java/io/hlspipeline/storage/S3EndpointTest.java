package io.hlspipeline.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3EndpointTest {
  private static final String SECRET = "s3cr3t+/Key=";

  @Test
  void parseList_twoEntries_parsedInOrderWithDefaultRegion() {
    List<S3Endpoint> endpoints =
        S3Endpoint.parseList(
            " id=rgw-a, url=http://10.0.0.1:7480, bucket=hls, region=eu-west-1, accessKey=AK1,"
                + " secretKey="
                + SECRET
                + " ;\n id=rgw-b,url=https://rgw-b.local,bucket=hls-b,accessKey=AK2,secretKey=SK2;");

    assertThat(endpoints)
        .containsExactly(
            new S3Endpoint(
                "rgw-a", URI.create("http://10.0.0.1:7480"), "eu-west-1", "AK1", SECRET, "hls"),
            new S3Endpoint(
                "rgw-b", URI.create("https://rgw-b.local"), "us-east-1", "AK2", "SK2", "hls-b"));
  }

  @Test
  void toString_hidesBothKeys() {
    S3Endpoint endpoint =
        new S3Endpoint("rgw-a", URI.create("http://h:1"), "us-east-1", "AKID", SECRET, "hls");

    assertThat(endpoint.toString())
        .contains("rgw-a", "http://h:1", "hls", "[hidden]")
        .doesNotContain("AKID", SECRET);
  }

  @Test
  void parseList_missingField_namesEntryAndFieldNotSecret() {
    assertThatThrownBy(
            () ->
                S3Endpoint.parseList(
                    "id=rgw-a,url=http://h:1,bucket=hls,accessKey=AK,secretKey="
                        + SECRET
                        + ";id=rgw-b,url=http://h:2,accessKey=AK,secretKey="
                        + SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2")
        .hasMessageContaining("rgw-b")
        .hasMessageContaining("'bucket'")
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void parseList_secretWithoutName_doesNotEchoIt() {
    assertThatThrownBy(
            () -> S3Endpoint.parseList("id=rgw-a,url=http://h:1,bucket=hls,accessKey=AK," + SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[hidden]")
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void parseList_fieldWithoutEquals_rejectedWithoutEcho() {
    assertThatThrownBy(
            () ->
                S3Endpoint.parseList(
                    "id=rgw-a,url=http://h:1,bucket=hls,accessKey=AK,plainSecret9"))
        .hasMessageContaining("no '='")
        .message()
        .doesNotContain("plainSecret9");
  }

  @Test
  void parseList_unknownField_named() {
    assertThatThrownBy(
            () ->
                S3Endpoint.parseList(
                    "id=a,url=http://h:1,bucket=hls,accessKey=AK,secretKey=SK,secret=" + SECRET))
        .hasMessageContaining("unknown field 'secret'")
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void parseList_duplicateId_rejected() {
    String entry = "id=a,url=http://h:1,bucket=hls,accessKey=AK,secretKey=SK";

    assertThatThrownBy(() -> S3Endpoint.parseList(entry + ";" + entry))
        .hasMessageContaining("duplicate id 'a'");
  }

  @Test
  void parseList_badUrlOrBucketOrId_rejectedWithoutSecret() {
    String rest = ",accessKey=AK,secretKey=" + SECRET;

    assertThatThrownBy(() -> S3Endpoint.parseList("id=a,url=ftp://h:1,bucket=hls" + rest))
        .hasMessageContaining("http(s)")
        .message()
        .doesNotContain(SECRET);
    assertThatThrownBy(() -> S3Endpoint.parseList("id=a,url=http://user:pw@h:1,bucket=hls" + rest))
        .hasMessageContaining("user info")
        .message()
        .doesNotContain("pw");
    assertThatThrownBy(
            () -> S3Endpoint.parseList("id=a,url=http://user:" + SECRET + "@h:1,bucket=hls" + rest))
        .message()
        .doesNotContain(SECRET);
    assertThatThrownBy(() -> S3Endpoint.parseList("id=a,url=http://h:1,bucket=Bad_Bucket" + rest))
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> S3Endpoint.parseList("id=A B,url=http://h:1,bucket=hls" + rest))
        .hasMessageContaining("id");
  }

  @Test
  void parseList_empty_rejected() {
    assertThatThrownBy(() -> S3Endpoint.parseList(" ; ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> S3Endpoint.parseList(null)).hasMessageContaining("empty");
  }
}
