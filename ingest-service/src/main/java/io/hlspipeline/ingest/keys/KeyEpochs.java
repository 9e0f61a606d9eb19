package io.hlspipeline.ingest.keys;

import io.hlspipeline.events.StreamIds;
import io.hlspipeline.kit.config.ConfigDef;
import io.hlspipeline.kit.config.ConfigException;
import io.hlspipeline.kit.config.ConfigType;
import io.hlspipeline.kit.config.ParsedConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The stream-key epoch of each stream, from {@code STREAM_KEY_EPOCHS} ({@code cam1=2,cam7=1}): a
 * stream's keys are signed with its epoch, so raising it revokes every key issued before (both HTTP
 * and RTMP verify with it). Streams not listed are at epoch 0. Immutable; thread-safe.
 *
 * @param epochs stream id → epoch, each at least 1
 */
public record KeyEpochs(Map<String, Long> epochs) {
  public static final String STREAM_KEY_EPOCHS = "STREAM_KEY_EPOCHS";

  public KeyEpochs {
    epochs = Map.copyOf(epochs);
  }

  /** Declares {@code STREAM_KEY_EPOCHS} in {@code def}. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
        STREAM_KEY_EPOCHS,
        ConfigType.LIST,
        "",
        null,
        "per-stream key epochs, streamId=epoch[,...]: raising a stream's epoch revokes its older"
            + " keys (unlisted streams: 0)");
  }

  /**
   * Reads the key {@link #define} declared.
   *
   * @throws ConfigException on an entry that is not {@code streamId=epoch} with a valid stream id
   *     and an epoch of at least 1, or a stream listed twice
   */
  public static KeyEpochs from(ParsedConfig c) {
    Map<String, Long> epochs = new HashMap<>();
    for (String entry : c.getList(STREAM_KEY_EPOCHS)) {
      int eq = entry.indexOf('=');
      String id = eq > 0 ? entry.substring(0, eq).trim() : "";
      long epoch;
      try {
        epoch = eq > 0 ? Long.parseLong(entry.substring(eq + 1).trim()) : -1;
      } catch (NumberFormatException e) {
        epoch = -1;
      }
      if (!StreamIds.isValid(id) || epoch < 1) {
        throw new ConfigException(
            STREAM_KEY_EPOCHS, "expected streamId=epoch with epoch >= 1, got '" + entry + "'");
      }
      if (epochs.put(id, epoch) != null) {
        throw new ConfigException(STREAM_KEY_EPOCHS, "stream " + id + " listed twice");
      }
    }
    return new KeyEpochs(epochs);
  }

  /** The epoch of {@code streamId}, 0 when not listed. */
  public long epochOf(String streamId) {
    return epochs.getOrDefault(streamId, 0L);
  }
}
