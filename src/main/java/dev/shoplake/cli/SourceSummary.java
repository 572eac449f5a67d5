package dev.shoplake.cli;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.report.FtpSession;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.commons.net.ftp.FTPFile;

/** What the three source systems hold now: rows per table, reports on FTP, messages per topic. */
final class SourceSummary {
    private SourceSummary() {
    }

    static void print(LakehouseConfig config, PrintStream out) {
        out.println("PostgreSQL rows:");
        new ShopDatabase(config.postgres()).rowCounts()
                .forEach((table, n) -> out.printf("  %-15s %,12d%n", table, n));
        out.println("FTP reports in " + config.ftp().dir() + ":");
        try (FtpSession ftp = FtpSession.open(config.ftp())) {
            List<FTPFile> files = ftp.list();
            if (files.isEmpty()) {
                out.println("  (none)");
            }
            for (FTPFile f : files) {
                out.printf("  %-45s %,10d bytes%n", f.getName(), f.getSize());
            }
        } catch (IOException e) {
            out.println("  (cannot list: " + e.getMessage() + ")");
        }
        out.println("Kafka messages per topic (log offsets, transaction markers included):");
        topicSizes(config.kafka()).forEach((topic, n) -> out.printf("  %-15s %,12d%n", topic, n));
    }

    static Map<String, Long> topicSizes(LakehouseConfig.Kafka kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        Map<String, Long> sizes = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (String topic : kafka.topics()) {
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                long begin = consumer.beginningOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                sizes.put(topic, end - begin);
            }
        }
        return sizes;
    }
}
