package dev.shoplake.source.events;

import dev.shoplake.config.LakehouseConfig;

/**
 * The simulator's Kafka topics. Each is keyed so that the events a consumer must see in order share
 * a partition: cart actions by cart, checkout steps by sale, stock changes by product, website
 * traffic by session.
 */
public enum EventTopic {
    STORE("cart_id"),
    CHECKOUT("sale_id"),
    STOCK("product_id"),
    WEBSITE("session_id");

    private final String keyField;

    EventTopic(String keyField) {
        this.keyField = keyField;
    }

    /** The event field whose value is the message key. */
    public String keyField() {
        return keyField;
    }

    public String topicName(LakehouseConfig.Kafka kafka) {
        return switch (this) {
            case STORE -> kafka.storeTopic();
            case CHECKOUT -> kafka.checkoutTopic();
            case STOCK -> kafka.stockTopic();
            case WEBSITE -> kafka.websiteTopic();
        };
    }
}
