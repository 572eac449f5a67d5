package dev.shoplake.notebook;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.LogManager;

/**
 * Starts the notebooks' Java kernel (rapaio-jupyter-kernel 3.0.1) as its own main does, without its
 * two start-up races, each of which leaves a kernel that never answers. First, the kernel binds its
 * sockets and starts their threads before it sets its handler table; Jupyter sends
 * {@code kernel_info_request} every second from the start, so a request that lands in between finds
 * no table and the shell thread dies on the {@code NullPointerException}. Here the table is a
 * stand-in until the kernel's own is complete: a message that early waits for it. Second, see
 * {@link #reviveLoopsThatNeverRan}. With the kernel's own main, 5 of 20 starts hung on an idle
 * machine and 6 of 8 on a busy one. The kernel's classes are reached by reflection, so the project
 * does not compile against the kernel.
 *
 * <p>Run by the kernelspec {@code bin/setup-notebooks} writes:
 * {@code java -cp <kernel jar>:<a folder with this class> dev.shoplake.notebook.KernelLauncher <connection file>}.
 */
public final class KernelLauncher {
    private static final String KERNEL = "org.rapaio.jupyter.kernel.";
    /** How long an early message waits for the handler table before it is given none (logged as unhandled). */
    private static final long WAIT_MS = 120_000;

    private KernelLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: KernelLauncher <connection file>");
        }
        Class<?> mainApp = Class.forName(KERNEL + "MainApp");
        LogManager.getLogManager().readConfiguration(mainApp.getClassLoader().getResourceAsStream("logging.properties"));
        Class<?> propsClass = Class.forName(KERNEL + "core.ConnectionProperties");
        Object props = Class.forName(KERNEL + "core.Transform").getMethod("fromJson", String.class, Class.class)
                .invoke(null, Files.readString(Path.of(args[0])), propsClass);
        Class<?> channelsClass = Class.forName(KERNEL + "channels.Channels");
        Object channels = channelsClass.getConstructor(propsClass).newInstance(props);
        Field handlers = channelsClass.getDeclaredField("handlers");
        Field connected = channelsClass.getDeclaredField("isConnected");
        handlers.setAccessible(true);
        connected.setAccessible(true);
        handlers.set(channels, new AwaitedHandlers(channels, handlers, connected));
        Object kernel = mainApp.getField("kernel").get(null);
        channelsClass.getMethod("connect", kernel.getClass()).invoke(channels, kernel);
        reviveLoopsThatNeverRan(channels, channelsClass);
        channelsClass.getMethod("joinUntilClose").invoke(channels);
    }

    /**
     * The kernel's second race: a channel's loop thread sets its {@code running} flag only after
     * {@code Thread.start}, so a thread scheduled at once sees it false, ends before its first poll,
     * and that channel never answers again. For the first seconds after the sockets are bound,
     * such a thread is replaced by one with the same loop whose flag is set before it starts
     * (unless the kernel is shutting down, when loops end on purpose).
     */
    private static void reviveLoopsThatNeverRan(Object channels, Class<?> channelsClass) throws Exception {
        Class<?> loopClass = Class.forName(KERNEL + "channels.LoopThread");
        Field running = field(loopClass, "running");
        Field sleep = field(loopClass, "sleep");
        Field body = field(loopClass, "loopBody");
        var shuttingDown = channelsClass.getMethod("isMarkedForShutdown");
        java.util.List<Object> owners = new java.util.ArrayList<>();
        for (String name : new String[] {"shell", "control", "heartbeat"}) {
            owners.add(field(channelsClass, name).get(channels));
        }
        long until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until && !(boolean) shuttingDown.invoke(channels)) {
            for (Object owner : owners) {
                Field loopField = field(owner.getClass(), "loopThread");
                Thread loop = (Thread) loopField.get(owner);
                if (loop != null && loop.getState() == Thread.State.TERMINATED) {
                    Thread again = (Thread) loopClass.getConstructor(String.class, long.class, Runnable.class)
                            .newInstance(loop.getName(), sleep.getLong(loop), body.get(loop));
                    running.setBoolean(again, true);
                    loopField.set(owner, again);
                    again.start();
                    System.err.println("KernelLauncher: " + loop.getName() + " ended before its first poll; restarted");
                }
            }
            Thread.sleep(100);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** The handler table's stand-in: each lookup waits until the kernel's own table is complete. */
    static final class AwaitedHandlers extends AbstractMap<Object, Object> {
        private final Object channels;
        private final Field handlers;
        private final Field connected;

        AwaitedHandlers(Object channels, Field handlers, Field connected) {
            this.channels = channels;
            this.handlers = handlers;
            this.connected = connected;
        }

        @Override
        public Object get(Object type) {
            return table().get(type);
        }

        @Override
        public Set<Entry<Object, Object>> entrySet() {
            return table().entrySet();
        }

        /** The kernel's table once {@code connect} has filled it and said so; empty after {@link #WAIT_MS}. */
        @SuppressWarnings("unchecked")
        private synchronized Map<Object, Object> table() {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            try {
                while (System.currentTimeMillis() < deadline) {
                    Object table = handlers.get(channels);
                    if (table != this && connected.getBoolean(channels)) {
                        return (Map<Object, Object>) table;
                    }
                    wait(10);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("the kernel's handler table cannot be read", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.of();
        }
    }
}
