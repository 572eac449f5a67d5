package dev.shoplake.lake;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points where a crash is most likely to lose or double data (after a table's commit,
 * before the stream's checkpoint), where the fault suite kills this JVM on purpose. Off unless
 * {@value #ENV} names a point: {@code NAME} (its first reach) or {@code NAME@N} (its N-th). A
 * reached point says so on stderr, then sends this JVM SIGKILL: no shutdown hook, no cleanup, as
 * an operator's kill -9 at that moment.
 */
public final class FaultPoints {
    public static final String ENV = "SHOPLAKE_FAULT_AT";
    private static final String AT = System.getenv(ENV);
    private static final String POINT = AT == null ? null : AT.replaceFirst("@\\d{1,9}$", "");
    private static final int NTH = AT == null || AT.equals(POINT) ? 1 : Integer.parseInt(AT.substring(POINT.length() + 1));
    private static final AtomicInteger REACHED = new AtomicInteger();

    private FaultPoints() {
    }

    /** After a commit to {@code table} (e.g. {@code commit:gold.fact_sales}). */
    public static void committed(TableSpec table) {
        reached("commit:" + table.qualifiedName());
    }

    public static void reached(String point) {
        if (POINT == null || !POINT.equals(point) || REACHED.incrementAndGet() != NTH) {
            return;
        }
        System.err.println("fault point " + AT + " reached: kill -9 of pid " + ProcessHandle.current().pid());
        System.err.flush();
        try {
            new ProcessBuilder("kill", "-9", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        } catch (IOException | InterruptedException e) {
            // no kill command: halting skips the shutdown hooks as SIGKILL does
        }
        Runtime.getRuntime().halt(137);
    }
}
