package dev.shoplake.source.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events with a transactional, idempotent producer: a batch is all or nothing for
 * read_committed consumers, and a second relay with the same transactional id fences the first.
 */
public final class KafkaEventPublisher implements EventPublisher {
    private static final ObjectMapper JSON = dev.shoplake.config.Json.MAPPER;

    private final LakehouseConfig.Kafka config;
    private final KafkaProducer<String, String> producer;

    public KafkaEventPublisher(LakehouseConfig.Kafka config, String transactionalId) {
        this.config = config;
        ensureTopics(config);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close();
            throw new UnreachableException("cannot reach Kafka at " + config.bootstrapServers()
                    + " (spark.lakehouse.kafka.bootstrap-servers): " + e.getMessage(), e);
        }
    }

    /** Creates the topics if they are missing; partitions from spark.lakehouse.kafka.partitions. */
    public static void ensureTopics(LakehouseConfig.Kafka config) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : config.topics()) {
                topics.add(new NewTopic(name, config.partitions(), (short) 1));
            }
            for (var future : admin.createTopics(topics).values().values()) {
                try {
                    future.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new UnreachableException("cannot reach Kafka at " + config.bootstrapServers()
                    + " (spark.lakehouse.kafka.bootstrap-servers): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void begin() {
        producer.beginTransaction();
    }

    @Override
    public Future<?> send(EventTopic topic, String key, Instant timestamp, String value) {
        return producer.send(new ProducerRecord<>(topic.topicName(config), null, timestamp.toEpochMilli(), key, value));
    }

    public static String toJson(ShopEvent e) {
        try {
            return JSON.writeValueAsString(e.body());
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void commit() {
        producer.commitTransaction();
    }

    @Override
    public void abort() {
        producer.abortTransaction();
    }

    @Override
    public void close() {
        producer.close();
    }
}
