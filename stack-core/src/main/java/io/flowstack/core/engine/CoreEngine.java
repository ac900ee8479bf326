package io.flowstack.core.engine;

import io.flowstack.core.driver.Waiter;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.DeviceListener;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.pcap.PcapWriter;
import io.flowstack.core.driver.VirtioNetHeader;
import java.nio.ByteOrder;
import io.flowstack.core.time.Clock;
import io.flowstack.core.time.CoreTime;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.jctools.queues.MpscArrayQueue;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The duty cycle of one core, as an Agrona {@link Agent}: read the clock; poll each driver queue for a
 * bounded batch, classify every frame by its owner, run owned frames to completion through the
 * {@link CoreStack} and put foreign ones on the owner's ring; take the frames other cores forwarded here; apply
 * control messages; run a bounded number of commands from application threads; run due timers; flush transmit
 * batches; ring the doorbells of cores that were sent something. Everything a core does happens here, on one
 * thread, without locks.
 * <p>
 * A queue whose device is gone (deleted, or its namespace deleted) is taken out of service by {@link DeviceQueues}
 * and reported to the {@link DeviceListener}.
 * <p>
 * The engine is also the stack's {@link FrameSink} (it routes each frame to the driver of its interface and
 * copies it to the pcap file when one is set) and its {@link CoreServices}.
 */
public final class CoreEngine implements Agent, FrameSink, FrameHandler, CoreServices
{
    /** Frames read per driver queue, and per incoming ring, per cycle. */
    public static final int RECEIVE_BATCH = 64;
    /** Commands run per cycle, so that applications cannot starve the network. */
    public static final int COMMAND_BATCH = 64;
    /** Default frames per forwarding ring between two cores. */
    public static final int DEFAULT_RING_CAPACITY = 1024;
    /** Bytes of each core's control ring. */
    public static final int CONTROL_RING_BYTES = 1 << 16;

    private final int coreId;
    private final Clock clock;
    private final BufferPool pool;
    private final DeviceQueues queues;
    private final MpscArrayQueue<Runnable> commands;
    private final Waiter waiter;
    private final ManyToOneRingBuffer control;
    private final MessageHandler controlHandler = this::onControlMessage;
    private final Consumer<PacketBuffer> forwardedHandler = this::onForwarded;
    private final AtomicCounter framesIn;
    private final AtomicCounter framesOut;
    private final AtomicCounter bytesIn;
    private final AtomicCounter bytesOut;
    private final AtomicCounter forwardedIn;
    private final AtomicCounter forwardedOut;
    private final AtomicCounter ringDrops;
    private final AtomicCounter commandsRun;
    private final AtomicCounter commandFailures;
    private Consumer<Exception> commandFailureHandler = e ->
    {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    };
    private final AtomicCounter controlDrops;
    private CoreStack stack;
    private FrameClassifier classifier;
    private CoreEngine[] peers = new CoreEngine[0];
    private OneToOneConcurrentArrayQueue<PacketBuffer>[] outRings;
    private OneToOneConcurrentArrayQueue<PacketBuffer>[] inRings;
    private boolean[] peerDirty;
    private PcapWriter pcap;
    private long wallClockOffsetNs;
    /**
     * The time every layer reads ({@link CoreTime}): read from {@link #clock} as each frame is read from a device
     * or a ring, and before the commands and the timers run, as Linux stamps every segment it receives
     * (tcp_mstamp_refresh). Once per cycle was not enough: a cycle that is preempted or works through a long batch
     * gave the frames it read later a time from before they arrived, and TCP took RTT samples too short by as
     * much (BBR's min_rtt 13.6 ms on a 20 ms path, live) and delivery rates too high.
     */
    private final CoreTime time;
    private boolean started;
    private volatile boolean stopping;
    /** The thread that runs the duty cycle, once one does (null while the stack is being built). */
    private volatile Thread owner;
    /** A thread of its own was given this core (see {@link #handedToRunner()}): no other thread owns it meanwhile. */
    private volatile boolean handedToRunner;

    /**
     * @param coreId        this core's index.
     * @param clock         time source, read per frame and per stage of the cycle.
     * @param pool          this core's buffers.
     * @param driversByIf   the transmit queue this core uses on each interface, indexed by ifIndex.
     * @param receiveQueues the queues this core reads.
     * @param waiter        what the core blocks on when idle; rung when a command or a forwarded frame arrives.
     * @param counters      the core's counters.
     * @param commandQueueCapacity bound of the cross-thread command queue.
     */
    public CoreEngine(
        final int coreId,
        final Clock clock,
        final BufferPool pool,
        final NetworkDriver[] driversByIf,
        final NetworkDriver[] receiveQueues,
        final Waiter waiter,
        final CounterSet counters,
        final int commandQueueCapacity)
    {
        this.coreId = coreId;
        this.clock = clock;
        this.pool = pool;
        this.queues = new DeviceQueues(coreId, driversByIf, receiveQueues, waiter, counters);
        this.waiter = waiter;
        this.commands = new MpscArrayQueue<>(commandQueueCapacity);
        this.control = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(CONTROL_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
        this.framesIn = counters.counter(EngineCounter.FRAMES_IN);
        this.framesOut = counters.counter(EngineCounter.FRAMES_OUT);
        this.bytesIn = counters.counter(EngineCounter.BYTES_IN);
        this.bytesOut = counters.counter(EngineCounter.BYTES_OUT);
        this.forwardedIn = counters.counter(EngineCounter.FORWARDED_IN);
        this.forwardedOut = counters.counter(EngineCounter.FORWARDED_OUT);
        this.ringDrops = counters.counter(EngineCounter.RING_DROPS);
        this.commandsRun = counters.counter(EngineCounter.COMMANDS);
        this.commandFailures = counters.counter(EngineCounter.COMMAND_FAILURES);
        this.controlDrops = counters.counter(EngineCounter.CONTROL_DROPS);
        this.time = new CoreTime(clock);
    }

    /**
     * Connects cores to each other with one bounded single-producer ring per ordered pair. Call once, before
     * any of them starts.
     *
     * @param engines      all cores, indexed by core id.
     * @param ringCapacity frames per ring (rounded up to a power of two).
     */
    @SuppressWarnings("unchecked")
    public static void connect(final CoreEngine[] engines, final int ringCapacity)
    {
        final int n = engines.length;
        for (final CoreEngine e : engines)
        {
            e.peers = engines.clone();
            e.outRings = new OneToOneConcurrentArrayQueue[n];
            e.inRings = new OneToOneConcurrentArrayQueue[n];
            e.peerDirty = new boolean[n];
        }
        for (int from = 0; from < n; from++)
        {
            for (int to = 0; to < n; to++)
            {
                if (from != to)
                {
                    final OneToOneConcurrentArrayQueue<PacketBuffer> ring = new OneToOneConcurrentArrayQueue<>(ringCapacity);
                    engines[from].outRings[to] = ring;
                    engines[to].inRings[from] = ring;
                }
            }
        }
    }

    /**
     * Sets the stack this engine drives. Done once, before the agent starts, because the stack is built with
     * this engine as its {@link FrameSink}.
     *
     * @param stack the core's stack.
     */
    public void stack(final CoreStack stack)
    {
        this.stack = stack;
    }

    /**
     * Sets the ownership function used to dispatch received frames. Without one, every frame is processed here.
     *
     * @param classifier says which core owns a frame.
     */
    public void classifier(final FrameClassifier classifier)
    {
        this.classifier = classifier;
    }

    /**
     * Sets who is told when this core takes a queue out of service because its device is gone (see
     * {@link DeviceListener}). Set before the agent starts.
     *
     * @param listener the listener, or null for none.
     */
    public void deviceListener(final DeviceListener listener)
    {
        queues.listener(listener);
    }

    /**
     * @return device queues this core still reads (fewer once a device is gone).
     */
    public int receiveQueueCount()
    {
        return queues.receiveQueues();
    }

    /**
     * @param handler told of every failure an application's task reports through {@link #commandFailed} (by
     *                default it ends the cycle as an exception would). Set before the agent starts.
     */
    public void commandFailureHandler(final Consumer<Exception> handler)
    {
        this.commandFailureHandler = handler;
    }

    /**
     * An application's task failed on this core: its own mistake, counted ({@code engine.command_failures}) and
     * reported, and the cycle goes on. (A command of the stack's own that throws is a bug, and ends the cycle.)
     *
     * @param e what it threw.
     */
    public void commandFailed(final Exception e)
    {
        commandFailures.incrementOrdered();
        commandFailureHandler.accept(e);
    }

    /**
     * Copies every frame received and sent to a pcap file. Set before the agent starts.
     *
     * @param pcap the writer, or null for none.
     */
    public void pcap(final PcapWriter pcap)
    {
        this.pcap = pcap;
        this.wallClockOffsetNs = System.currentTimeMillis() * 1_000_000L - clock.nanoTime();
    }

    @Override
    public void onStart()
    {
        owner = Thread.currentThread();
        pool.owner(owner);
        start();
    }

    /**
     * Lets the stack announce itself. Called by {@link #onStart()} on the core's thread, or by a test or the
     * simulator driving {@link #doWork()} by hand (the calling thread then owns the core).
     */
    public void start()
    {
        if (owner == null)
        {
            owner = Thread.currentThread();
        }
        if (!started)
        {
            started = true;
            time.refresh();
            stack.onStart();
            flush();
        }
    }

    @Override
    public int doWork()
    {
        time.refresh();
        int work = queues.receive(pool, this, RECEIVE_BATCH);
        if (inRings != null)
        {
            for (final OneToOneConcurrentArrayQueue<PacketBuffer> ring : inRings)
            {
                if (ring != null)
                {
                    work += ring.drain(forwardedHandler, RECEIVE_BATCH);
                }
            }
        }
        work += control.read(controlHandler, RECEIVE_BATCH);
        time.refresh();
        work += runCommands();
        time.refresh();
        work += stack.onTime();
        work += pool.drainReturns();
        work += flush();
        wakeDirtyPeers();
        return work;
    }

    @Override
    public void onFrame(final PacketBuffer frame)
    {
        time.refresh();
        framesIn.incrementOrdered();
        bytesIn.getAndAddOrdered(frame.length());
        if (pcap != null)
        {
            capture(frame);
        }
        final int owner = classifier == null ? FrameClassifier.HERE : classifier.owner(frame);
        if (owner == FrameClassifier.HERE || owner == coreId)
        {
            stack.onFrame(frame);
        }
        else
        {
            forward(frame, owner);
        }
    }

    /**
     * Cores share one pcap file: writes are serialized (a lock, but only when capturing, a debugging aid). A
     * partial checksum is written complete, as it goes on the wire, and put back as it was for the device.
     */
    private void capture(final PacketBuffer frame)
    {
        final boolean partial = frame.checksumState() == PacketBuffer.CHECKSUM_PARTIAL;
        final int field = frame.checksumStart() + frame.checksumOffset();
        final short saved = partial ? frame.buffer().getShort(field) : 0;
        if (partial)
        {
            frame.buffer().putShort(field, (short)VirtioNetHeader.fullChecksum(frame), ByteOrder.BIG_ENDIAN);
        }
        synchronized (pcap)
        {
            pcap.write(time.nanoTime() + wallClockOffsetNs, frame.buffer(), frame.offset(), frame.length());
        }
        if (partial)
        {
            frame.buffer().putShort(field, saved);
        }
    }

    private void onForwarded(final PacketBuffer frame)
    {
        time.refresh();
        forwardedIn.incrementOrdered();
        stack.onFrame(frame);
    }

    @Override
    public void forward(final PacketBuffer frame, final int core)
    {
        if (core < 0 || core >= peers.length || core == coreId || !outRings[core].offer(frame))
        {
            ringDrops.incrementOrdered();
            frame.release();
            return;
        }
        forwardedOut.incrementOrdered();
        peerDirty[core] = true;
    }

    @Override
    public void broadcast(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        for (final CoreEngine peer : peers)
        {
            if (peer != this)
            {
                if (peer.control.write(type, buffer, offset, length))
                {
                    peerDirty[peer.coreId] = true;
                }
                else
                {
                    controlDrops.incrementOrdered();
                }
            }
        }
    }

    private void onControlMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        stack.onControl(type, buffer, index, length);
    }

    /** Doorbells are rung once per cycle per peer, not per frame: the batch is whatever the cycle queued. */
    private void wakeDirtyPeers()
    {
        if (peerDirty == null)
        {
            return;
        }
        for (int i = 0; i < peerDirty.length; i++)
        {
            if (peerDirty[i])
            {
                peerDirty[i] = false;
                peers[i].waiter.wake();
            }
        }
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        final NetworkDriver driver = queues.transmitQueue(frame.ifIndex());
        if (driver == null)
        {
            queues.dropNoDevice(frame);
            return;
        }
        framesOut.incrementOrdered();
        bytesOut.getAndAddOrdered(frame.wireLength());
        if (pcap != null)
        {
            // Captured whole, then written as an ordinary frame (a debugging aid: the copy is fine).
            frame.linearize();
            capture(frame);
        }
        driver.transmit(frame);
    }

    /**
     * Queues a command for this core and wakes it. Safe from any thread.
     *
     * @param command the work, run on the core's thread.
     * @return false when the queue is full (the caller reports back-pressure).
     */
    public boolean submit(final Runnable command)
    {
        if (!commands.offer(command))
        {
            return false;
        }
        waiter.wake();
        return true;
    }

    private int runCommands()
    {
        int n = 0;
        Runnable c;
        while (n < COMMAND_BATCH && (c = commands.poll()) != null)
        {
            c.run();
            n++;
        }
        if (n > 0)
        {
            commandsRun.getAndAddOrdered(n);
        }
        return n;
    }

    private int flush()
    {
        return queues.flush();
    }

    /**
     * Checks that the calling thread may use this core's API: the core's own thread once one runs it (or the thread
     * that drives it by hand), any thread while the stack is being built.
     *
     * @throws IllegalStateException naming both threads, when called from another thread.
     */
    public void checkThread()
    {
        if (!isOwnerThread())
        {
            final Thread o = owner;
            throw new IllegalStateException("core " + coreId + " belongs to thread "
                + (o == null ? "of its own (starting)" : o.getName())
                + ", called from thread " + Thread.currentThread().getName()
                + ": call it from the core's callbacks, or hand the work to the core with submit");
        }
    }

    /**
     * The core is about to run on a thread of its own (an agent runner): from now on only that thread owns it,
     * even before it has started (so a call from another thread in that gap is refused, not raced).
     */
    public void handedToRunner()
    {
        handedToRunner = true;
    }

    /**
     * @return true when the calling thread may use this core's API directly (see {@link #checkThread()}).
     */
    public boolean isOwnerThread()
    {
        final Thread o = owner;
        return o == null ? !handedToRunner : o == Thread.currentThread();
    }

    /**
     * @param thread a thread.
     * @return true when that thread runs this core (its agent thread, or the thread driving it by hand).
     */
    public boolean runsOn(final Thread thread)
    {
        return owner == thread;
    }

    /**
     * Asks the core to stop blocking when idle and wakes it, so that closing its runner does not wait for a
     * timeout. Safe from any thread.
     */
    public void requestStop()
    {
        stopping = true;
        waiter.wake();
    }

    /**
     * @return true once {@link #requestStop()} was called.
     */
    public boolean isStopping()
    {
        return stopping;
    }

    /**
     * @return the time last read: when the latest frame was read, or the current stage of the cycle began.
     */
    public long now()
    {
        return time.nanoTime();
    }

    @Override
    public CoreTime time()
    {
        return time;
    }

    /**
     * @return the earliest timer deadline of the stack, or of a driver holding frames back.
     */
    public long nextDeadline()
    {
        return queues.nextDeadline(stack.nextDeadline());
    }

    /**
     * @return this core's pool.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * @return the waiter this core idles on.
     */
    public Waiter waiter()
    {
        return waiter;
    }

    /**
     * @return the clock of this core.
     */
    public Clock clock()
    {
        return clock;
    }

    @Override
    public int coreId()
    {
        return coreId;
    }

    @Override
    public int cores()
    {
        return Math.max(1, peers.length);
    }

    /**
     * @return the stack this engine drives.
     */
    public CoreStack stack()
    {
        return stack;
    }

    @Override
    public void onClose()
    {
        if (pcap != null)
        {
            try
            {
                synchronized (pcap)
                {
                    pcap.flush();
                }
            }
            catch (final java.io.IOException e)
            {
                throw new java.io.UncheckedIOException("pcap flush failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String roleName()
    {
        return "flowstack-core-" + coreId;
    }
}
