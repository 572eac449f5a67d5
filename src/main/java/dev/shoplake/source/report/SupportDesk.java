package dev.shoplake.source.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The support desk's day, as the original generator had it: 0-29 new tickets (category and status
 * uniform, a resolution date only when resolved), and some older open tickets resolved that day.
 * Pure: the same open tickets, customers, day and random seed give the same day.
 */
public final class SupportDesk {
    public static final List<String> CATEGORIES = List.of("Billing", "Technical Support", "Account Management",
            "Product Inquiry", "Shipping", "Returns and Refunds");
    public static final List<String> STATUSES = List.of("Resolved", "Pending", "Escalated");
    public static final int MAX_NEW_TICKETS = 29;
    /** Chance that an open ticket from an earlier day is resolved on a given day. */
    public static final double DAILY_RESOLUTION = 0.25;

    private static final List<List<String>> DESCRIPTIONS = List.of(
            List.of("Charged twice for one order", "Refund not shown on my statement", "Invoice amount is wrong"),
            List.of("App crashes at checkout", "Cannot upload a profile picture", "Page keeps loading"),
            List.of("Cannot reset my password", "Please change my email address", "Account locked after login attempts"),
            List.of("Is this product in stock?", "Does this come in another size?", "Warranty of this item"),
            List.of("Package has not arrived", "Wrong delivery address", "Parcel arrived damaged"),
            List.of("Want to return an item", "Refund is taking too long", "Return label not received"));

    private SupportDesk() {
    }

    /** What happened on one day: the tickets created and the older tickets resolved that day. */
    public record Day(LocalDate day, List<SupportTicket> created, List<SupportTicket> resolved) {
        /** The day's report rows, before noise: new tickets, then the older ones resolved today. */
        public List<SupportTicket> reported() {
            List<SupportTicket> all = new ArrayList<>(created);
            all.addAll(resolved);
            return all;
        }
    }

    public static Day simulate(LocalDate day, List<SupportTicket> openBefore, int[] customerIds, SplittableRandom rng) {
        List<SupportTicket> resolved = new ArrayList<>();
        for (SupportTicket t : openBefore) {
            if (t.isOpen() && t.dateCreated().isBefore(day) && rng.nextDouble() < DAILY_RESOLUTION) {
                resolved.add(t.resolvedOn(day));
            }
        }
        int count = customerIds.length == 0 ? 0 : rng.nextInt(MAX_NEW_TICKETS + 1);
        List<SupportTicket> created = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int category = rng.nextInt(CATEGORIES.size());
            String status = STATUSES.get(rng.nextInt(STATUSES.size()));
            List<String> texts = DESCRIPTIONS.get(category);
            created.add(new SupportTicket(new UUID(rng.nextLong(), rng.nextLong()).toString(),
                    customerIds[rng.nextInt(customerIds.length)], CATEGORIES.get(category),
                    texts.get(rng.nextInt(texts.size())), day, status, status.equals("Resolved") ? day : null));
        }
        return new Day(day, created, resolved);
    }
}
