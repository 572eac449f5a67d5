package dev.shoplake.streaming;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.source.events.EventTopic;
import dev.shoplake.source.events.KafkaEventPublisher;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A corpus of hand-made Kafka messages ({@code corpus/events.tsv}: empty, not JSON, truncated, a
 * BOM, wrong types, future and ancient timestamps, negative and huge numbers), each with what
 * should become of it, sent through the real broker and the real stream: every record is accounted
 * for, as a fact, a usable event, or a quarantine row with its reason; nothing else.
 */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class BadEventCorpusIT {
    private static final TestStack STACK = TestStack.get();

    record Case(String topic, String expect, String what, String value) {
    }

    @Test
    void everyRecordOfTheCorpusIsAFactAUsableEventOrQuarantinedWithItsReason() throws Exception {
        Settings settings = STACK.freshShopSettings();
        LakehouseConfig config = STACK.config(settings);
        KafkaEventPublisher.ensureTopics(config.kafka());
        List<Case> cases = corpus();
        Map<String, Case> byPosition = new TreeMap<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Case c : cases) {
                String topic = EventTopic.valueOf(c.topic().toUpperCase()).topicName(config.kafka());
                RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "k", c.value())).get();
                byPosition.put(sent.topic() + "/" + sent.partition() + "/" + sent.offset(), c);
            }
        }

        SparkSession spark = TestSpark.forLake(settings, config);
        EventStream stream = new EventStream(spark, config);
        stream.start(true);
        assertTrue(stream.awaitStopped(300_000), "availableNow run finished");

        Map<String, String> quarantined = new TreeMap<>();
        for (Row r : spark.sql("SELECT topic || '/' || partition || '/' || offset, reason FROM bronze.events_quarantine")
                .collectAsList()) {
            quarantined.put(r.getString(0), r.getString(1));
        }
        List<String> report = new ArrayList<>();
        byPosition.forEach((position, c) -> report.add(c.expect() + (quarantined.containsKey(position)
                ? " -> quarantined: " + quarantined.get(position) : " -> accepted") + "  (" + c.what() + ")"));
        System.out.println("event corpus:\n  " + String.join("\n  ", report));

        TreeSet<String> expectedQuarantine = new TreeSet<>();
        byPosition.forEach((position, c) -> {
            if (c.expect().equals("quarantine")) {
                expectedQuarantine.add(position + " " + c.what());
            }
        });
        TreeSet<String> actualQuarantine = new TreeSet<>();
        quarantined.keySet().forEach(position -> actualQuarantine.add(position + " " + byPosition.get(position).what()));
        assertEquals(expectedQuarantine, actualQuarantine, "exactly the bad records are quarantined");
        assertEquals(List.of(), quarantined.values().stream().filter(reason -> reason == null || reason.isBlank()).toList(),
                "each with its reason");

        assertEquals(new TreeSet<>(List.of("ok-add", "ok-create", "ok-ünïcødé")), new TreeSet<>(spark.sql(
                "SELECT event_id FROM gold.fact_cart_activity").as(org.apache.spark.sql.Encoders.STRING()).collectAsList()),
                "the good cart actions are facts, the one sent twice once");
        assertEquals(List.of("ok-stock"), spark.sql("SELECT event_id FROM gold.fact_product_stock")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        long usable = byPosition.size() - quarantined.size();
        assertEquals(cases.stream().filter(c -> !c.expect().equals("quarantine")).count(), usable,
                "records in = accepted + quarantined");
        assertEquals(1L, spark.sql("SELECT sum(page_views) FROM gold.live_traffic_minute").first().getLong(0),
                "the good page view is counted live");
    }

    private static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = BadEventCorpusIT.class.getResourceAsStream("/corpus/events.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                cases.add(new Case(f[0], f[1], f[2], f[3]));
            }
        }
        return cases;
    }
}
