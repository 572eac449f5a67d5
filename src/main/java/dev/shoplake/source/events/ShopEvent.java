package dev.shoplake.source.events;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One store, checkout, stock or website action as published to Kafka: a JSON object with
 * {@code event_id}, {@code type}, {@code timestamp} (the action's own simulated time, ISO-8601
 * UTC) and the type's fields. The schemas are listed in docs/EVENTS.md.
 */
public record ShopEvent(EventTopic topic, String eventId, String type, Instant timestamp, Map<String, Object> fields) {

    public ShopEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Event ids are derived from the simulator's persistent event sequence, so they are stable. */
    public static String eventId(long sequence) {
        return UUID.nameUUIDFromBytes(("shoplake-event:" + sequence).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    /** The Kafka message key: the value of the topic's key field. */
    public String key() {
        Object k = fields.get(topic.keyField());
        if (k == null) {
            throw new IllegalStateException(type + " event has no " + topic.keyField());
        }
        return k.toString();
    }

    /** The message value: envelope fields first, then the type's own. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", eventId);
        body.put("type", type);
        body.put("timestamp", timestamp.toString());
        body.putAll(fields);
        return body;
    }
}
