package dev.shoplake.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How a serving command waits: until Ctrl-C (the JVM's shutdown), or for a number of seconds when given. */
final class UntilStopped {
    private UntilStopped() {
    }

    /** Returns at Ctrl-C or after {@code seconds} (0: only at Ctrl-C); an interrupt ends the wait too. */
    static void await(long seconds) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try {
            if (seconds > 0) {
                stop.await(seconds, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
