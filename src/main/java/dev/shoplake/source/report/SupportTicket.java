package dev.shoplake.source.report;

import java.time.LocalDate;

/** A support ticket as the support desk knows it (the truth; the report is a noisy view of it). */
public record SupportTicket(String ticketId, int customerId, String category, String description,
                            LocalDate dateCreated, String status, LocalDate resolutionDate) {
    public boolean isOpen() {
        return !status.equals("Resolved");
    }

    public SupportTicket resolvedOn(LocalDate day) {
        return new SupportTicket(ticketId, customerId, category, description, dateCreated, "Resolved", day);
    }
}
