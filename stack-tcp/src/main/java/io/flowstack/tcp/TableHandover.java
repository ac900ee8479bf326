package io.flowstack.tcp;

import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.FlowPins;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.tcb.TcpLayer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves a running stack to a new indirection table without moving a live connection, in four steps, each run by
 * every core on its own thread between two frames; the core that finishes a step last starts the next.
 * <ol>
 * <li><b>Pin.</b> Each core lists its TCP connections (IPv4 and IPv6) that the new table would give another core,
 * and its pins whose connection is gone.</li>
 * <li><b>Install.</b> The pins go into every core's copy and the devices' kernel copies ({@link OwnerSteering}),
 * stale pins come out of the cores' copies. A pin names the core that owns the flow today, so nothing moves.</li>
 * <li><b>Switch.</b> Every core takes the new table, and pins the connections it opened since step 1 that the new
 * table moves ("late" pins: until the other cores learn them, a frame of such a connection that one of them
 * dispatches in software could go astray; counted).</li>
 * <li><b>Finish.</b> The late pins go to the other cores and the kernel; then the kernel switches its table, at one
 * instant, and drops its stale pins.</li>
 * </ol>
 * Until the kernel switches, it still delivers the moved buckets to their old owners, which forward them to the
 * new ones (counted as {@code engine.forwarded_out}); with exact steering that window is the only time frames are
 * forwarded. Nothing is lost: a forwarded frame is processed by its owner without being classified again.
 */
final class TableHandover
{
    private static final int TCP = 6;
    private static final long SUBMIT_PATIENCE_NS = TimeUnit.SECONDS.toNanos(1);

    private final CoreEngine[] engines;
    private final FlowOwnership[] cores;
    private final TcpLayer[] tcp;
    private final FlowOwnership controller;
    private final List<OwnerSteering> steerings;
    private final IpInterface[] interfaces;
    private final AtomicCounter[][] counters;
    private final IndirectionTable table;
    private final FlowOwnership future;
    private final AtomicInteger pending = new AtomicInteger();
    private final Queue<Pin> pins = new ConcurrentLinkedQueue<>();
    private final Queue<Pin> unpins = new ConcurrentLinkedQueue<>();
    private final Queue<Pin> latePins = new ConcurrentLinkedQueue<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private final long startNs = System.nanoTime();
    private volatile HandoverReport result;
    private int refused;

    /**
     * @param engines            the cores.
     * @param cores              each core's ownership function.
     * @param tcp                each core's TCP, or null where a core runs none.
     * @param controller         the stack's own copy, mirrored by the devices.
     * @param steerings          the devices' kernel copies.
     * @param interfaces         the stack's interfaces (a connection's local address names its interface).
     * @param counters           per core: pinned, late pins, refused by the kernel, handovers.
     * @param table              the new table.
     */
    TableHandover(final CoreEngine[] engines, final FlowOwnership[] cores, final TcpLayer[] tcp,
        final FlowOwnership controller, final List<OwnerSteering> steerings, final IpInterface[] interfaces,
        final AtomicCounter[][] counters, final IndirectionTable table)
    {
        this.engines = engines;
        this.cores = cores;
        this.tcp = tcp;
        this.controller = controller;
        this.steerings = steerings;
        this.interfaces = interfaces;
        this.counters = counters;
        this.table = table.copy();
        this.future = controller.withTable(table);
    }

    /**
     * Starts step 1 on every core.
     *
     * @return false when a core's command queue stayed full (the handover did not start).
     */
    boolean start()
    {
        return everyCore(this::pin);
    }

    /**
     * @param timeout how long to wait.
     * @param unit    its unit.
     * @return the result, or null if not finished in time.
     * @throws InterruptedException when interrupted.
     */
    HandoverReport await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return done.await(timeout, unit) ? result : null;
    }

    /**
     * @return the result once finished, else null.
     */
    HandoverReport report()
    {
        return result;
    }

    /**
     * @return true once finished (or abandoned).
     */
    boolean isDone()
    {
        return done.getCount() == 0;
    }

    // ---- 1. pin ---------------------------------------------------------------------------------------------

    private void pin(final int core)
    {
        final Set<Pin> live = new HashSet<>();
        if (tcp[core] != null)
        {
            tcp[core].forEachConnection(c ->
            {
                final Pin inbound = Pin.of(c, core);
                live.add(inbound);
                if (ownerOf(future, inbound) != core)
                {
                    pins.add(inbound);
                    counters[core][0].increment();
                }
            });
        }
        cores[core].pins().forEach((protocol, sh, sl, dh, dl, sourcePort, destinationPort, pinnedTo) ->
        {
            final Pin p = new Pin(protocol, sh, sl, dh, dl, sourcePort, destinationPort, pinnedTo);
            if (pinnedTo == core && !live.contains(p))
            {
                unpins.add(p);
            }
        });
        if (pending.decrementAndGet() == 0)
        {
            install();
        }
    }

    // ---- 2. install -----------------------------------------------------------------------------------------

    private void install()
    {
        final List<Pin> add = new ArrayList<>(pins);
        final List<Pin> remove = new ArrayList<>(unpins);
        applyTo(controller.pins(), add, remove);
        mirror();
        everyCore(core ->
        {
            applyTo(cores[core].pins(), add, remove);
            if (pending.decrementAndGet() == 0)
            {
                switchTables();
            }
        });
    }

    // ---- 3. switch ------------------------------------------------------------------------------------------

    private void switchTables()
    {
        everyCore(core ->
        {
            cores[core].reprogram(table);
            if (tcp[core] != null)
            {
                tcp[core].forEachConnection(c ->
                {
                    final Pin p = Pin.of(c, core);
                    if (ownerOf(cores[core], p) != core)
                    {
                        p.applyTo(cores[core].pins());
                        latePins.add(p);
                        counters[core][1].increment();
                    }
                });
            }
            if (pending.decrementAndGet() == 0)
            {
                spreadLatePins();
            }
        });
    }

    // ---- 4. finish ------------------------------------------------------------------------------------------

    private void spreadLatePins()
    {
        final List<Pin> late = new ArrayList<>(latePins);
        applyTo(controller.pins(), late, List.of());
        everyCore(core ->
        {
            applyTo(cores[core].pins(), late, List.of());
            if (pending.decrementAndGet() == 0)
            {
                finish();
            }
        });
    }

    private void finish()
    {
        controller.reprogram(table);
        mirror();
        counters[0][3].increment();
        complete(true);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** Brings every device's kernel copy to the controller's state; what it refuses is counted on core 0. */
    private void mirror()
    {
        for (final OwnerSteering s : steerings)
        {
            final int r = s.apply(controller);
            refused += r;
            counters[0][2].getAndAdd(r);
        }
    }

    private static void applyTo(final FlowPins target, final List<Pin> add, final List<Pin> remove)
    {
        for (final Pin p : remove)
        {
            target.unpin(p.protocol, p.sh, p.sl, p.dh, p.dl, p.sourcePort, p.destinationPort);
        }
        for (final Pin p : add)
        {
            p.applyTo(target);
        }
    }

    /** Who owns the connection's inbound tuple by {@code ownership}, in its family. */
    private int ownerOf(final FlowOwnership ownership, final Pin p)
    {
        final int ifIndex = ifIndexOf(p.dh, p.dl);
        if (IpAddress.isIpv4(p.dh, p.dl))
        {
            return ownership.ownerOfFlow(ifIndex, p.protocol, (int)p.sl, (int)p.dl, p.sourcePort, p.destinationPort);
        }
        return ownership.ownerOfFlow6(ifIndex, p.protocol, p.sh, p.sl, p.dh, p.dl, p.sourcePort, p.destinationPort);
    }

    private int ifIndexOf(final long high, final long low)
    {
        for (final IpInterface ifc : interfaces)
        {
            if (IpAddress.isIpv4(high, low) ? ifc.hasIpv4() && ifc.address() == (int)low : ifc.isOwnIpv6(high, low))
            {
                return ifc.ifIndex();
            }
        }
        return -1;
    }

    /** A connection's inbound tuple (the peer is the source) and the core that keeps it. */
    private record Pin(int protocol, long sh, long sl, long dh, long dl, int sourcePort, int destinationPort, int core)
    {
        static Pin of(final TcpConnection c, final int core)
        {
            final IpAddress remote = c.remoteIpAddress();
            final IpAddress local = c.localIpAddress();
            return new Pin(TCP, remote.high(), remote.low(), local.high(), local.low(), c.remotePort(), c.localPort(),
                core);
        }

        void applyTo(final FlowPins target)
        {
            target.pin(protocol, sh, sl, dh, dl, sourcePort, destinationPort, core);
        }
    }

    /** Runs a step on every core; a core's queue that stays full for a second abandons the handover. */
    private boolean everyCore(final java.util.function.IntConsumer step)
    {
        pending.set(engines.length);
        for (int c = 0; c < engines.length; c++)
        {
            final int core = c;
            final Runnable command = () -> step.accept(core);
            final long deadline = System.nanoTime() + SUBMIT_PATIENCE_NS;
            while (!engines[c].submit(command))
            {
                if (System.nanoTime() > deadline)
                {
                    complete(false);
                    return false;
                }
                Thread.yield();
            }
        }
        return true;
    }

    private void complete(final boolean completed)
    {
        if (done.getCount() > 0)
        {
            result = new HandoverReport(completed, pins.size() + latePins.size(), latePins.size(), refused,
                System.nanoTime() - startNs);
            done.countDown();
        }
    }
}
