package io.hlspipeline.ingest.publish;

import io.hlspipeline.events.Serdes;
import io.hlspipeline.events.Topics;
import io.hlspipeline.events.ingest.IngestControl;
import io.hlspipeline.events.ingest.IngestHeaders;
import io.hlspipeline.events.ingest.IngestRecordKind;
import io.hlspipeline.events.json.JsonSerde;
import java.time.Instant;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes {@code hls.ingest} records: key = stream id, value = MPEG-TS chunk or JSON control record,
 * the kind, session, sequence and ingest time in headers. Sends are asynchronous; the producer
 * (idempotent, acks=all) keeps one stream's records in call order. Thread-safe.
 */
public final class IngestPublisher {
  private final Producer<String, byte[]> producer;
  private final JsonSerde<IngestControl> controlSerde = Serdes.ingestControl();
  private final String topic = Topics.INGEST.name();

  public IngestPublisher(Producer<String, byte[]> producer) {
    this.producer = producer;
  }

  public Future<RecordMetadata> publishStarted(
      IngestControl.PublishStarted started, Callback callback) {
    return send(
        started.streamId(),
        controlBytes(started),
        new IngestHeaders(
            IngestRecordKind.PUBLISH_STARTED, started.sessionId(), 0, started.startedAt()),
        callback);
  }

  /**
   * @param sequence the session's record sequence number (PublishStarted is 0)
   * @param chunk whole TS packets, at most {@code IngestLimits.MAX_CHUNK_BYTES}
   */
  public Future<RecordMetadata> chunk(
      String streamId,
      String sessionId,
      long sequence,
      Instant ingestTime,
      byte[] chunk,
      Callback callback) {
    return send(
        streamId,
        chunk,
        new IngestHeaders(IngestRecordKind.CHUNK, sessionId, sequence, ingestTime),
        callback);
  }

  public Future<RecordMetadata> publishEnded(
      IngestControl.PublishEnded ended, long sequence, Callback callback) {
    return send(
        ended.streamId(),
        controlBytes(ended),
        new IngestHeaders(
            IngestRecordKind.PUBLISH_ENDED, ended.sessionId(), sequence, ended.endedAt()),
        callback);
  }

  private Future<RecordMetadata> send(
      String streamId, byte[] value, IngestHeaders headers, Callback callback) {
    return producer.send(
        new ProducerRecord<>(topic, null, streamId, value, headers.toKafka()), callback);
  }

  private byte[] controlBytes(IngestControl control) {
    return controlSerde.serialize(topic, control);
  }
}
