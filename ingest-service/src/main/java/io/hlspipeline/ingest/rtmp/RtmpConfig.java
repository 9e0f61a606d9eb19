package io.hlspipeline.ingest.rtmp;

import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import io.hlspipeline.kit.config.Validator;
import java.util.Objects;

/**
 * The RTMP listener's settings, part of ingest-service's configuration.
 *
 * @param bind address the RTMP server binds to
 * @param port RTMP port; 0 picks a free port
 * @param maxChunkSize largest chunk size a publisher may set (Set Chunk Size); past it the
 *     connection is closed
 * @param maxMessageBytes largest RTMP message (one video frame) accepted; past it the connection is
 *     closed. Each connection holds at most twice this in partial messages.
 * @param maxConnections most RTMP connections at once, publishing or not; more are closed at once
 *     (before a publish is accepted a connection holds at most 128 KiB of partial messages)
 */
public record RtmpConfig(
    String bind, int port, int maxChunkSize, int maxMessageBytes, int maxConnections) {
  public static final String RTMP_BIND = "RTMP_BIND";
  public static final String RTMP_PORT = "RTMP_PORT";
  public static final String RTMP_MAX_CHUNK_SIZE = "RTMP_MAX_CHUNK_SIZE";
  public static final String RTMP_MAX_MESSAGE_BYTES = "RTMP_MAX_MESSAGE_BYTES";
  public static final String RTMP_MAX_CONNECTIONS = "RTMP_MAX_CONNECTIONS";

  /** The IANA port of RTMP. */
  public static final int DEFAULT_PORT = 1935;

  /** RTMP message length is a 24-bit field (§5.3.1.2.1). */
  static final int MESSAGE_LENGTH_LIMIT = (1 << 24) - 1;

  public RtmpConfig {
    Objects.requireNonNull(bind, "bind");
  }

  /** Declares the RTMP keys in {@code def}. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
            RTMP_BIND, ConfigType.STRING, "0.0.0.0", Validator.nonEmpty(), "RTMP bind address")
        .define(
            RTMP_PORT,
            ConfigType.INT,
            DEFAULT_PORT,
            Validator.range(0, 65535),
            "RTMP port for OBS/ffmpeg (rtmp://host:port/live/{streamKey}); 0 picks a free port")
        .define(
            RTMP_MAX_CHUNK_SIZE,
            ConfigType.INT,
            65_536,
            Validator.range(ChunkDecoder.DEFAULT_CHUNK_SIZE, MESSAGE_LENGTH_LIMIT),
            "largest RTMP chunk size a publisher may set; a larger request disconnects it")
        .define(
            RTMP_MAX_MESSAGE_BYTES,
            ConfigType.INT,
            8 * 1024 * 1024,
            Validator.range(64 * 1024, MESSAGE_LENGTH_LIMIT),
            "largest RTMP message (video frame) accepted; a larger one disconnects the publisher")
        .define(
            RTMP_MAX_CONNECTIONS,
            ConfigType.INT,
            1000,
            Validator.range(1, 100_000),
            "most RTMP connections at once, publishing or not; more are closed at once");
  }

  /** Reads the keys {@link #define} declared. */
  public static RtmpConfig from(ParsedConfig c) {
    return new RtmpConfig(
        c.getString(RTMP_BIND),
        c.getInt(RTMP_PORT),
        c.getInt(RTMP_MAX_CHUNK_SIZE),
        c.getInt(RTMP_MAX_MESSAGE_BYTES),
        c.getInt(RTMP_MAX_CONNECTIONS));
  }
}
