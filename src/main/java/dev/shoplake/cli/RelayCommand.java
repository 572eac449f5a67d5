package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.OutboxRelay;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lakehouse relay}: sends the events waiting in the shop's outbox to Kafka (after a crash, or
 * while Kafka was away). The simulator relays after every commit itself; this is for the events it
 * could not send.
 */
@Command(name = "relay", description = "Send the events waiting in the shop database's outbox (outbox.events) to "
        + "Kafka, then stop; --follow keeps sending until Ctrl-C.")
final class RelayCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--follow", description = "Keep relaying new events until Ctrl-C.")
    boolean follow;

    @Option(names = "--every-ms", description = "With --follow, the pause between two drains (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    long everyMs;

    @Override
    public Integer call() throws InterruptedException {
        var config = parent.config();
        new ShopDatabase(config.postgres()).migrate();
        long sent = 0;
        long refused = 0;
        try (OutboxRelay relay = OutboxRelay.open(config)) {
            do {
                OutboxRelay.Drained d = relay.drain();
                sent += d.sent();
                refused += d.refused();
                if (follow && d.sent() + d.refused() > 0) {
                    say(String.format("relayed %,d event(s)%s", d.sent(), d.refused() > 0
                            ? String.format(", %,d refused by Kafka", d.refused()) : ""));
                }
                if (follow) {
                    Thread.sleep(everyMs);
                }
            } while (follow);
            say(String.format("relayed %,d event(s) to %s; %,d refused by Kafka%s; %,d still pending", sent,
                    config.kafka().bootstrapServers(), refused,
                    refused > 0 ? " (their reasons: SELECT id, refused_reason FROM outbox.events WHERE refused_reason "
                            + "IS NOT NULL)" : "", relay.pending()));
        }
        return 0;
    }
}
