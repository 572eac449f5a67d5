package dev.shoplake.stack;

/**
 * Entry point of the Kafka broker's own JVM: runs {@code kafka.Kafka} and exits when the stack
 * process that started it is gone, even after a kill -9 of that process, so no broker is orphaned.
 * Only the JDK and the broker's classpath are used here.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> System.exit(0)), // exit runs Kafka's clean shutdown hook
                () -> System.exit(0));
        Class.forName("kafka.Kafka").getMethod("main", String[].class)
                .invoke(null, (Object) new String[] {args[1]});
    }
}
