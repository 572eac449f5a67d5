package dev.shoplake.bronze;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Report lines that must not land as they are: exact reasons, raw text kept. */
class SupportReportParserTest {
    private static final String HEADER = "Ticket ID,Customer Name,Email,Phone,Issue Category,Issue Description,"
            + "Date Created,Resolution Status,Resolution Date";

    @Test
    void latin1BytesAndDatesOutOfOrderAreQuarantinedNeverAlteredOrLanded() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(("\uFEFF" + HEADER + "\r\n").getBytes(StandardCharsets.UTF_8));
        file.writeBytes("z1,Zoë Café,zoe@example.com,,Billing,Charged twice,2026-04-05,Pending,\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        file.writeBytes(("z2,Zoë Café,zoe@example.com,,Billing,Charged twice,2026-04-05,Pending,\r\n"
                + "z3,Ann Lee,ann@example.com,,Billing,Refund,2026-04-05,Resolved,2026-03-05\r\n"
                + "z4,Bo Li,bo@example.com,,Shipping,Late,2026-04-09,Pending,\r\n"
                + "z5,Cy Ng,cy@example.com,,Shipping,Late,2026-04-01,Resolved,2026-04-07\r\n"
                + "z6,Di Wu,di@example.com,,Billing,Old,1999-12-31,Pending,\r\n")
                .getBytes(StandardCharsets.UTF_8));

        SupportReportParser.Parsed parsed = SupportReportParser.parse("customer_support_data_2026-04-06.csv",
                file.toByteArray(), LocalDate.parse("2020-01-01"));

        assertEquals(6, parsed.rowsInFile());
        assertEquals(List.of("z2 Zoë Café"), parsed.tickets().stream().map(t -> t.ticketId() + " " + t.customerName())
                .toList(), "valid UTF-8 lands as written");
        assertEquals(List.of(
                new SupportReportParser.Rejected(2, "z1,Zoë Café,zoe@example.com,,Billing,Charged twice,2026-04-05,Pending,",
                        "not valid UTF-8 (the raw text here is decoded as ISO-8859-1)"),
                new SupportReportParser.Rejected(4, "z3,Ann Lee,ann@example.com,,Billing,Refund,2026-04-05,Resolved,2026-03-05",
                        "Resolution Date 2026-03-05 is before Date Created 2026-04-05"),
                new SupportReportParser.Rejected(5, "z4,Bo Li,bo@example.com,,Shipping,Late,2026-04-09,Pending,",
                        "Date Created 2026-04-09 is after the report's day 2026-04-06"),
                new SupportReportParser.Rejected(6, "z5,Cy Ng,cy@example.com,,Shipping,Late,2026-04-01,Resolved,2026-04-07",
                        "Resolution Date 2026-04-07 is after the report's day 2026-04-06"),
                new SupportReportParser.Rejected(7, "z6,Di Wu,di@example.com,,Billing,Old,1999-12-31,Pending,",
                        "Date Created 1999-12-31 is before the shop's records begin (2020-01-01)")), parsed.rejected());
    }

    @Test
    void linesSplitAtNewlinesWithoutTheirCarriageReturns() {
        assertEquals(List.of("a", "b", ""), SupportReportParser.splitLines("a\r\nb\n".getBytes(StandardCharsets.UTF_8))
                .stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        assertEquals(List.of("a", "b"), SupportReportParser.splitLines("a\nb".getBytes(StandardCharsets.UTF_8))
                .stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }
}
