package io.hlspipeline.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the S3 client of one endpoint, set up for Ceph RGW and other S3-compatible servers. */
final class S3Clients {
  private S3Clients() {}

  static S3Client create(S3Endpoint endpoint, SegmentStoreOptions options) {
    return S3Client.builder()
        .endpointOverride(endpoint.endpoint())
        .region(Region.of(endpoint.region()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(endpoint.accessKey(), endpoint.secretKey())))
        // Ceph RGW and S3Proxy address buckets by path, not by virtual host.
        .forcePathStyle(true)
        // SDK >= 2.30 adds CRC32 trailers by default; Ceph RGW rejects those uploads
        // (measured against Pacific's radosgw). Checksums only where an operation requires them.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(options.connectTimeout())
                .socketTimeout(options.readTimeout()))
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(options.attemptTimeout())
                .retryStrategy(b -> b.maxAttempts(options.maxAttemptsPerServer()))
                .build())
        .build();
  }
}
