package io.hlspipeline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** An S3 round trip (bucket, PUT, GET, LIST, multipart, DELETE) against any S3 endpoint. */
final class S3RoundTrip {
  private static final int PART_SIZE_BYTES = 5 * 1024 * 1024;

  private S3RoundTrip() {}

  static S3Client client(URI endpoint, String region, String accessKey, String secretKey) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static void run(URI endpoint, String region, String accessKey, String secretKey) {
    String bucket = "devstack-it-" + UUID.randomUUID().toString().substring(0, 8);
    try (S3Client s3 = client(endpoint, region, accessKey, secretKey)) {
      s3.createBucket(b -> b.bucket(bucket));

      byte[] segment = "not really MPEG-TS".getBytes(StandardCharsets.UTF_8);
      s3.putObject(
          b -> b.bucket(bucket).key("s1/src/a/0.ts").contentType("video/mp2t"),
          RequestBody.fromBytes(segment));
      s3.putObject(b -> b.bucket(bucket).key("s1/src/a/1.ts"), RequestBody.fromBytes(segment));
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("s1/src/a/0.ts")).asByteArray())
          .isEqualTo(segment);

      List<String> keys =
          s3.listObjectsV2(b -> b.bucket(bucket).prefix("s1/src/")).contents().stream()
              .map(S3Object::key)
              .toList();
      assertThat(keys).containsExactly("s1/src/a/0.ts", "s1/src/a/1.ts");

      // Multipart: two parts, the first at S3's 5 MiB minimum part size.
      byte[] part1 = new byte[PART_SIZE_BYTES];
      new Random(1).nextBytes(part1);
      byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
      String key = "s1/src/a/big.ts";
      String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
      List<CompletedPart> parts = new ArrayList<>();
      byte[][] bodies = {part1, part2};
      for (int i = 0; i < bodies.length; i++) {
        int partNumber = i + 1;
        UploadPartResponse response =
            s3.uploadPart(
                b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                RequestBody.fromBytes(bodies[i]));
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build());
      }
      s3.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
      byte[] whole = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
      assertThat(whole).hasSize(part1.length + part2.length);
      assertThat(java.util.Arrays.copyOf(whole, part1.length)).isEqualTo(part1);

      for (String k : List.of("s1/src/a/0.ts", "s1/src/a/1.ts", key)) {
        s3.deleteObject(b -> b.bucket(bucket).key(k));
      }
      try {
        s3.headObject(b -> b.bucket(bucket).key("s1/src/a/0.ts"));
        throw new AssertionError("object still there after DELETE");
      } catch (NoSuchKeyException expected) {
        // Deleted.
      }
      assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
      s3.deleteBucket(b -> b.bucket(bucket));
    }
  }
}
