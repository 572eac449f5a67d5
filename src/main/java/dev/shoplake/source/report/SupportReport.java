package dev.shoplake.source.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The daily CSV as the original wrote it, noise included: about 80% of resolved rows say Pending
 * but keep their resolution date, and about 15% of rows are written twice.
 */
public final class SupportReport {
    public static final List<String> HEADER = List.of("Ticket ID", "Customer Name", "Email", "Phone",
            "Issue Category", "Issue Description", "Date Created", "Resolution Status", "Resolution Date");
    public static final double RESOLVED_WRITTEN_AS_PENDING = 0.80;
    public static final double WRITTEN_TWICE = 0.15;

    private SupportReport() {
    }

    public static String fileName(LocalDate day) {
        return "customer_support_data_" + day + ".csv";
    }

    /** The customer details a report row shows. */
    public record Contact(String name, String email, String phone) {
    }

    /** Renders the day's tickets with the original's noise. */
    public static String render(List<SupportTicket> tickets, Map<Integer, Contact> contacts, SplittableRandom rng) {
        List<List<String>> rows = new ArrayList<>();
        for (SupportTicket t : tickets) {
            Contact who = contacts.get(t.customerId());
            if (who == null) {
                throw new IllegalArgumentException("no contact for customer " + t.customerId());
            }
            String status = t.status().equals("Resolved") && rng.nextDouble() < RESOLVED_WRITTEN_AS_PENDING
                    ? "Pending" : t.status();
            List<String> row = List.of(t.ticketId(), who.name(), who.email(), who.phone() == null ? "" : who.phone(),
                    t.category(), t.description(), t.dateCreated().toString(), status,
                    t.resolutionDate() == null ? "" : t.resolutionDate().toString());
            rows.add(row);
            if (rng.nextDouble() < WRITTEN_TWICE) {
                rows.add(row);
            }
        }
        Collections.shuffle(rows, new Random(rng.nextLong()));
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
                .setHeader(HEADER.toArray(String[]::new)).setRecordSeparator("\n").get())) {
            for (List<String> row : rows) {
                printer.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
