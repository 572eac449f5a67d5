package dev.shoplake.source.report;

import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Publishes one day's support report: simulates the support desk's day on its stored tickets,
 * uploads the noisy CSV to the FTP server, deletes the previous day's report (the original deleted
 * the wrong day), then records the day. The upload comes before the database commit, and a
 * day's report is a pure function of (seed, day, stored tickets), so a retry rewrites the same file.
 */
public final class SupportReportPublisher implements AutoCloseable {
    private final LakehouseConfig.Ftp ftp;
    /** One login per run, not per day; reopened if the server dropped it. */
    private FtpSession session;

    public SupportReportPublisher(LakehouseConfig.Ftp ftp) {
        this.ftp = ftp;
    }

    /** What one day's report held. */
    public record Published(LocalDate day, String fileName, int newTickets, int resolvedTickets, int csvRows,
                            boolean previousDeleted) {
    }

    /** Publishes the report of {@code day} inside the caller's transaction; the caller commits. */
    public Published publish(Connection c, long seed, LocalDate day, int[] customerIds) throws SQLException, IOException {
        List<SupportTicket> open = openTickets(c);
        SplittableRandom rng = new SplittableRandom(seed * 31 + day.toEpochDay());
        SupportDesk.Day result = SupportDesk.simulate(day, open, customerIds, rng);
        List<SupportTicket> reported = result.reported();
        String csv = SupportReport.render(reported, contacts(c, reported), rng);
        String name = SupportReport.fileName(day);
        String previous = SupportReport.fileName(day.minusDays(1));
        boolean deleted;
        try {
            deleted = uploadReplacing(name, previous, csv);
        } catch (IOException dropped) {
            close();
            deleted = uploadReplacing(name, previous, csv);
        }
        save(c, result, day);
        int csvRows = (int) csv.chars().filter(ch -> ch == '\n').count() - 1;
        return new Published(day, name, result.created().size(), result.resolved().size(), csvRows, deleted);
    }

    /** Uploads {@code name}, then deletes {@code previous}; true if there was one to delete. */
    private boolean uploadReplacing(String name, String previous, String csv) throws IOException {
        if (session == null) {
            session = FtpSession.open(ftp);
        }
        session.upload(name, csv.getBytes(StandardCharsets.UTF_8));
        return session.delete(previous);
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private static List<SupportTicket> openTickets(Connection c) throws SQLException {
        List<SupportTicket> open = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT ticket_id, customer_id, issue_category, issue_description, date_created, status
                FROM simulator.support_tickets WHERE status <> 'Resolved' ORDER BY date_created, ticket_id""")) {
            while (rs.next()) {
                open.add(new SupportTicket(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getDate(5).toLocalDate(), rs.getString(6), null));
            }
        }
        return open;
    }

    private static Map<Integer, SupportReport.Contact> contacts(Connection c, List<SupportTicket> tickets)
            throws SQLException {
        TreeSet<Integer> ids = new TreeSet<>();
        tickets.forEach(t -> ids.add(t.customerId()));
        Map<Integer, SupportReport.Contact> contacts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, first_name || ' ' || last_name, email, phone FROM customers WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("integer", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    contacts.put(rs.getInt(1), new SupportReport.Contact(rs.getString(2), rs.getString(3),
                            rs.getString(4)));
                }
            }
        }
        return contacts;
    }

    private static void save(Connection c, SupportDesk.Day result, LocalDate day) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO simulator.support_tickets
                    (ticket_id, customer_id, issue_category, issue_description, date_created, status, resolution_date)
                VALUES (?::uuid, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (ticket_id) DO NOTHING""")) {
            for (SupportTicket t : result.created()) {
                insert.setString(1, t.ticketId());
                insert.setInt(2, t.customerId());
                insert.setString(3, t.category());
                insert.setString(4, t.description());
                insert.setDate(5, Date.valueOf(t.dateCreated()));
                insert.setString(6, t.status());
                insert.setDate(7, t.resolutionDate() == null ? null : Date.valueOf(t.resolutionDate()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (PreparedStatement resolve = c.prepareStatement("""
                UPDATE simulator.support_tickets SET status = 'Resolved', resolution_date = ?
                WHERE ticket_id = ?::uuid""")) {
            for (SupportTicket t : result.resolved()) {
                resolve.setDate(1, Date.valueOf(day));
                resolve.setString(2, t.ticketId());
                resolve.addBatch();
            }
            resolve.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE simulator.state SET last_report = ? WHERE id = 1")) {
            ps.setDate(1, Date.valueOf(day));
            ps.executeUpdate();
        }
    }
}
