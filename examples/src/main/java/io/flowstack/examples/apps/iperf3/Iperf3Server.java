package io.flowstack.examples.apps.iperf3;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.BindException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An iperf3 server on the stack ({@code --app iperf3}, port 5201), so that a stock {@code iperf3 -c} measures
 * flowstack. It speaks iperf3's TCP test protocol (esnet/iperf): a control connection that opens with the client's
 * 37-byte cookie, one state byte per step, the parameters and both sides' results as length-prefixed JSON, and
 * data streams that open with the same cookie. {@code -t}, {@code -P}, {@code -R}, {@code --bidir}, {@code -O},
 * {@code -N}, {@code -n} and {@code -k} (without {@code -R}) are served; the client's {@code -J} needs nothing here.
 * UDP and SCTP tests are refused with iperf3's "not implemented" error.
 * <p>
 * One test runs at a time, as with iperf3's own server: a second client gets {@code ACCESS_DENIED}. Every core
 * listens; the control connection and each stream may land on different cores, so a test is shared between cores:
 * each connection is served on its own core, and the steps that concern the whole test run on the control
 * connection's core, reached with {@link CoreContext#submit}.
 */
public final class Iperf3Server implements CoreSetup
{
    /** iperf3's port. */
    public static final int DEFAULT_PORT = 5201;

    private final int port;
    private final Consumer<String> report;
    private final AtomicReference<Iperf3Test> active = new AtomicReference<>();
    private ScheduledExecutorService timers;

    /**
     * @param port port to listen on, on every core.
     */
    public Iperf3Server(final int port)
    {
        this(port, line ->
        {
            System.out.println("flowstack: iperf3: " + line);
            System.out.flush();
        });
    }

    /**
     * @param port   port to listen on, on every core.
     * @param report where a line per test goes (its result, or why it ended early).
     */
    Iperf3Server(final int port, final Consumer<String> report)
    {
        this.port = port;
        this.report = report;
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        final Buffers buffers = new Buffers();
        core.listen(port, c -> new Greeting(this, core, buffers));
    }

    /**
     * Decides what a connection is once its cookie is in (on the connection's core): the control connection of a
     * new test when none runs, a stream of the running test when the cookie is that test's, otherwise refused.
     *
     * @return the connection's handler from now on, or null when it was refused.
     */
    TcpHandler dispatch(final TcpConnection c, final String cookie, final CoreContext core, final Buffers buffers)
    {
        Iperf3Test test = active.get();
        if (test != null && test.resultsShown() && !test.cookie().equals(cookie))
        {
            // The running test only waits for its client's IPERF_DONE, and that client may have sent it and gone:
            // with two cores its control connection's core can take it in after this core took the next cookie.
            // A single-threaded iperf3 server would have read it first; the next test starts.
            active.compareAndSet(test, null);
            test = active.get();
        }
        if (test == null)
        {
            final Iperf3Test fresh = new Iperf3Test(this, cookie, c, core, buffers);
            if (active.compareAndSet(null, fresh))
            {
                fresh.begin();
                return fresh;
            }
            test = active.get();
        }
        if (test != null && test.cookie().equals(cookie))
        {
            final Iperf3Stream stream = test.addStream(c, core, buffers);
            if (stream != null)
            {
                return stream;
            }
        }
        buffers.control.putByte(0, Iperf3Protocol.ACCESS_DENIED);
        c.write(buffers.control, 0, 1);
        c.close();
        return null;
    }

    /**
     * @param test a test that is over; the next client may start one.
     */
    void ended(final Iperf3Test test)
    {
        active.compareAndSet(test, null);
    }

    /**
     * @param line one line about a test.
     */
    void report(final String line)
    {
        report.accept(line);
    }

    /**
     * Runs work on a core later (timers of a test: the end of the omitted seconds, the watchdog).
     */
    synchronized ScheduledFuture<?> schedule(final CoreContext core, final Runnable command, final long delayMs)
    {
        if (timers == null)
        {
            timers = Executors.newSingleThreadScheduledExecutor(r ->
            {
                final Thread t = new Thread(r, "flowstack-iperf3-timer");
                t.setDaemon(true);
                return t;
            });
        }
        return timers.schedule(() -> runOn(null, core, command), delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs work on a core's thread: at once when called there, else as a task through its queue, waiting while the
     * queue is full (a handful of tasks per test).
     *
     * @param here    the core whose thread calls, or null for another thread.
     * @param target  the core to run on.
     * @param command the work.
     */
    static void runOn(final CoreContext here, final CoreContext target, final Runnable command)
    {
        if (here != null && here.coreId() == target.coreId())
        {
            command.run();
            return;
        }
        while (!target.submit(c -> command.run()))
        {
            Thread.onSpinWait();
        }
    }

    /** Per-core buffers: reads land in scratch, reverse-mode writes come from zeros. */
    static final class Buffers
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer zeros = new UnsafeBuffer(new byte[128 * 1024]);
        final UnsafeBuffer control = new UnsafeBuffer(new byte[16]);
    }
}
