package io.flowstack.tcp.api;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.flow.IndirectionTable;
import org.agrona.SystemUtil;

import java.util.Locale;

/**
 * Every tunable of a stack, once, in the style of Aeron's {@code Configuration} classes: a system property
 * ({@code *_PROP_NAME}), its default ({@code *_DEFAULT}) and a method that reads the property or falls back to the
 * default. The builders start from these values ({@code FlowStack.builder()}, {@link TcpConfig#DEFAULT}); their
 * methods override them for one stack. Durations take a unit ({@code 200ms}, {@code 30s}, {@code 500us}, plain
 * nanoseconds without one), sizes a suffix ({@code 256k}, {@code 4m}). A property is read when its default is first
 * used: {@link TcpConfig#DEFAULT} when its class loads, the stack's when a builder is made.
 * <p>
 * Two tunables of stack-core are declared beside what they tune, since stack-core sees nothing above it:
 * {@code io.flowstack.core.counter.CountersFile#DIRECTORY_PROP_NAME} and
 * {@code io.flowstack.core.sim.SimulationSeed#PROPERTY}. The README's table lists all of them (checked by a test).
 */
public final class Configuration
{
    /** Stack instances, one thread each. */
    public static final String CORES_PROP_NAME = "flowstack.cores";
    /** Default of {@link #CORES_PROP_NAME}. */
    public static final int CORES_DEFAULT = 1;

    /** Entries of the indirection table that maps flow hashes to cores (a power of two). */
    public static final String TABLE_SIZE_PROP_NAME = "flowstack.table.size";
    /** Default of {@link #TABLE_SIZE_PROP_NAME}. */
    public static final int TABLE_SIZE_DEFAULT = IndirectionTable.DEFAULT_SIZE;

    /** Packet buffers per core (64 KiB plus headroom each, off-heap). */
    public static final String POOL_SLOTS_PROP_NAME = "flowstack.pool.slots";
    /** Default of {@link #POOL_SLOTS_PROP_NAME}. */
    public static final int POOL_SLOTS_DEFAULT = BufferPool.DEFAULT_SLOT_COUNT;

    /** Frames per forwarding ring between two cores (a full ring drops and counts). */
    public static final String RING_CAPACITY_PROP_NAME = "flowstack.ring.capacity";
    /** Default of {@link #RING_CAPACITY_PROP_NAME}. */
    public static final int RING_CAPACITY_DEFAULT = CoreEngine.DEFAULT_RING_CAPACITY;

    /** Tasks waiting in a core's queue for commands from other threads (a full queue refuses a submit). */
    public static final String COMMAND_QUEUE_PROP_NAME = "flowstack.command.queue";
    /** Default of {@link #COMMAND_QUEUE_PROP_NAME}. */
    public static final int COMMAND_QUEUE_DEFAULT = 4096;

    /** Empty duty cycles a core spins through before it blocks on its devices. */
    public static final String IDLE_SPINS_PROP_NAME = "flowstack.idle.spins";
    /** Default of {@link #IDLE_SPINS_PROP_NAME}. */
    public static final int IDLE_SPINS_DEFAULT = 100;

    /** Offer devices with a queue per core the ownership function, so that the kernel steers exactly. */
    public static final String EXACT_STEERING_PROP_NAME = "flowstack.steering.exact";
    /** Default of {@link #EXACT_STEERING_PROP_NAME}. */
    public static final boolean EXACT_STEERING_DEFAULT = true;

    /** Bytes buffered each way between a core and a {@code FlowSocket}'s application thread. */
    public static final String SOCKET_RING_PROP_NAME = "flowstack.socket.ring";
    /** Default of {@link #SOCKET_RING_PROP_NAME}. */
    public static final int SOCKET_RING_DEFAULT = 1 << 18;

    /** Each TCP connection's first send buffer (a power of two). */
    public static final String TCP_SEND_BUFFER_PROP_NAME = "flowstack.tcp.send.buffer";
    /** Default of {@link #TCP_SEND_BUFFER_PROP_NAME}. */
    public static final int TCP_SEND_BUFFER_DEFAULT = 1 << 18;

    /** Each TCP connection's first receive buffer (a power of two). */
    public static final String TCP_RECEIVE_BUFFER_PROP_NAME = "flowstack.tcp.receive.buffer";
    /** Default of {@link #TCP_RECEIVE_BUFFER_PROP_NAME}. */
    public static final int TCP_RECEIVE_BUFFER_DEFAULT = 1 << 18;

    /** How far buffers the application did not size grow with the path (as Linux's tcp_rmem/tcp_wmem maxima); 0 fixes them. */
    public static final String TCP_MAX_BUFFER_PROP_NAME = "flowstack.tcp.max.buffer";
    /** Default of {@link #TCP_MAX_BUFFER_PROP_NAME}. */
    public static final int TCP_MAX_BUFFER_DEFAULT = 1 << 22;

    /**
     * How far receive buffers the application did not size grow (as Linux's tcp_rmem maximum, which exceeds
     * tcp_wmem's: the window must also cover what waits beyond holes on a lossy long path); at least the max buffer.
     */
    public static final String TCP_MAX_RECEIVE_BUFFER_PROP_NAME = "flowstack.tcp.max.receive.buffer";
    /** Default of {@link #TCP_MAX_RECEIVE_BUFFER_PROP_NAME}. */
    public static final int TCP_MAX_RECEIVE_BUFFER_DEFAULT = 1 << 23;

    /** Maximum segment lifetime; TIME-WAIT lasts two. */
    public static final String TCP_MSL_PROP_NAME = "flowstack.tcp.msl";
    /** Default of {@link #TCP_MSL_PROP_NAME}, in nanoseconds (as Linux's 60 s TIME-WAIT). */
    public static final long TCP_MSL_DEFAULT = 30_000_000_000L;

    /** Longest an ACK is delayed (RFC 9293 3.8.6.3 asks for less than 0.5 s). */
    public static final String TCP_DELAYED_ACK_PROP_NAME = "flowstack.tcp.delayed.ack";
    /** Default of {@link #TCP_DELAYED_ACK_PROP_NAME}, in nanoseconds. */
    public static final long TCP_DELAYED_ACK_DEFAULT = 40_000_000L;

    /** How long an unfinished passive open is kept. */
    public static final String TCP_SYN_RECEIVED_TIMEOUT_PROP_NAME = "flowstack.tcp.syn.received.timeout";
    /** Default of {@link #TCP_SYN_RECEIVED_TIMEOUT_PROP_NAME}, in nanoseconds. */
    public static final long TCP_SYN_RECEIVED_TIMEOUT_DEFAULT = 30_000_000_000L;

    /** Retransmissions of one segment before the connection fails. */
    public static final String TCP_RETRIES_PROP_NAME = "flowstack.tcp.retries";
    /** Default of {@link #TCP_RETRIES_PROP_NAME} (Linux's tcp_retries2). */
    public static final int TCP_RETRIES_DEFAULT = 15;

    /** Retransmissions of a SYN before a connect fails. */
    public static final String TCP_SYN_RETRIES_PROP_NAME = "flowstack.tcp.syn.retries";
    /** Default of {@link #TCP_SYN_RETRIES_PROP_NAME} (Linux's tcp_syn_retries). */
    public static final int TCP_SYN_RETRIES_DEFAULT = 6;

    /**
     * Lower bound of the retransmission timeout's variance term: RTO = SRTT + max(4 RTTVAR, this), as Linux's
     * tcp_set_rto bounds it (RFC 6298 2.4 bounds the whole RTO, at 1 s; Linux uses 200 ms).
     */
    public static final String TCP_MIN_RTO_PROP_NAME = "flowstack.tcp.min.rto";
    /** Default of {@link #TCP_MIN_RTO_PROP_NAME}, in nanoseconds. */
    public static final long TCP_MIN_RTO_DEFAULT = 200_000_000L;

    /** Upper bound of the retransmission timeout (RFC 6298 2.5: at least 60 s). */
    public static final String TCP_MAX_RTO_PROP_NAME = "flowstack.tcp.max.rto";
    /** Default of {@link #TCP_MAX_RTO_PROP_NAME}, in nanoseconds. */
    public static final long TCP_MAX_RTO_DEFAULT = 60_000_000_000L;

    /** Nagle's algorithm for connections that do not set TCP_NODELAY (RFC 9293 3.7.4). */
    public static final String TCP_NAGLE_PROP_NAME = "flowstack.tcp.nagle";
    /** Default of {@link #TCP_NAGLE_PROP_NAME}. */
    public static final boolean TCP_NAGLE_DEFAULT = true;

    /** Unfinished plus unaccepted connections per listener and core; beyond them SYN cookies answer. */
    public static final String TCP_BACKLOG_PROP_NAME = "flowstack.tcp.backlog";
    /** Default of {@link #TCP_BACKLOG_PROP_NAME}. */
    public static final int TCP_BACKLOG_DEFAULT = 1024;

    /** Congestion control of connections that choose none: {@code cubic}, {@code reno} or {@code bbr}. */
    public static final String TCP_CONGESTION_CONTROL_PROP_NAME = "flowstack.tcp.congestion.control";
    /** Default of {@link #TCP_CONGESTION_CONTROL_PROP_NAME}. */
    public static final CongestionAlgorithm TCP_CONGESTION_CONTROL_DEFAULT = CongestionAlgorithm.CUBIC;

    /** Offer and accept SACK (RFC 2018); off, loss recovery is NewReno's. */
    public static final String TCP_SACK_PROP_NAME = "flowstack.tcp.sack";
    /** Default of {@link #TCP_SACK_PROP_NAME}. */
    public static final boolean TCP_SACK_DEFAULT = true;

    /** Pace CUBIC and Reno at Linux's fq rates (BBR always paces). */
    public static final String TCP_PACING_PROP_NAME = "flowstack.tcp.pacing";
    /** Default of {@link #TCP_PACING_PROP_NAME}. */
    public static final boolean TCP_PACING_DEFAULT = false;

    /** BBR.LossThresh: the loss rate of a round trip that counts as congestion (draft-ietf-ccwg-bbr 2.7). */
    public static final String BBR_LOSS_THRESH_PROP_NAME = "flowstack.bbr.lossThresh";
    /** Default of {@link #BBR_LOSS_THRESH_PROP_NAME}. */
    public static final double BBR_LOSS_THRESH_DEFAULT = 0.02;

    private Configuration()
    {
    }

    /** @return {@link #CORES_PROP_NAME} or its default. */
    public static int cores()
    {
        return Integer.getInteger(CORES_PROP_NAME, CORES_DEFAULT);
    }

    /** @return {@link #TABLE_SIZE_PROP_NAME} or its default. */
    public static int tableSize()
    {
        return Integer.getInteger(TABLE_SIZE_PROP_NAME, TABLE_SIZE_DEFAULT);
    }

    /** @return {@link #POOL_SLOTS_PROP_NAME} or its default. */
    public static int poolSlots()
    {
        return Integer.getInteger(POOL_SLOTS_PROP_NAME, POOL_SLOTS_DEFAULT);
    }

    /** @return {@link #RING_CAPACITY_PROP_NAME} or its default. */
    public static int ringCapacity()
    {
        return Integer.getInteger(RING_CAPACITY_PROP_NAME, RING_CAPACITY_DEFAULT);
    }

    /** @return {@link #COMMAND_QUEUE_PROP_NAME} or its default. */
    public static int commandQueue()
    {
        return Integer.getInteger(COMMAND_QUEUE_PROP_NAME, COMMAND_QUEUE_DEFAULT);
    }

    /** @return {@link #IDLE_SPINS_PROP_NAME} or its default. */
    public static int idleSpins()
    {
        return Integer.getInteger(IDLE_SPINS_PROP_NAME, IDLE_SPINS_DEFAULT);
    }

    /** @return {@link #EXACT_STEERING_PROP_NAME} or its default. */
    public static boolean exactSteering()
    {
        return bool(EXACT_STEERING_PROP_NAME, EXACT_STEERING_DEFAULT);
    }

    /** @return {@link #SOCKET_RING_PROP_NAME} or its default. */
    public static int socketRing()
    {
        return SystemUtil.getSizeAsInt(SOCKET_RING_PROP_NAME, SOCKET_RING_DEFAULT);
    }

    /** @return {@link #TCP_SEND_BUFFER_PROP_NAME} or its default. */
    public static int tcpSendBuffer()
    {
        return SystemUtil.getSizeAsInt(TCP_SEND_BUFFER_PROP_NAME, TCP_SEND_BUFFER_DEFAULT);
    }

    /** @return {@link #TCP_RECEIVE_BUFFER_PROP_NAME} or its default. */
    public static int tcpReceiveBuffer()
    {
        return SystemUtil.getSizeAsInt(TCP_RECEIVE_BUFFER_PROP_NAME, TCP_RECEIVE_BUFFER_DEFAULT);
    }

    /** @return {@link #TCP_MAX_RECEIVE_BUFFER_PROP_NAME} or its default. */
    public static int tcpMaxReceiveBuffer()
    {
        return SystemUtil.getSizeAsInt(TCP_MAX_RECEIVE_BUFFER_PROP_NAME, TCP_MAX_RECEIVE_BUFFER_DEFAULT);
    }

    /** @return {@link #TCP_MAX_BUFFER_PROP_NAME} or its default. */
    public static int tcpMaxBuffer()
    {
        return SystemUtil.getSizeAsInt(TCP_MAX_BUFFER_PROP_NAME, TCP_MAX_BUFFER_DEFAULT);
    }

    /** @return {@link #TCP_MSL_PROP_NAME} or its default, in nanoseconds. */
    public static long tcpMslNs()
    {
        return SystemUtil.getDurationInNanos(TCP_MSL_PROP_NAME, TCP_MSL_DEFAULT);
    }

    /** @return {@link #TCP_DELAYED_ACK_PROP_NAME} or its default, in nanoseconds. */
    public static long tcpDelayedAckNs()
    {
        return SystemUtil.getDurationInNanos(TCP_DELAYED_ACK_PROP_NAME, TCP_DELAYED_ACK_DEFAULT);
    }

    /** @return {@link #TCP_SYN_RECEIVED_TIMEOUT_PROP_NAME} or its default, in nanoseconds. */
    public static long tcpSynReceivedTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(TCP_SYN_RECEIVED_TIMEOUT_PROP_NAME, TCP_SYN_RECEIVED_TIMEOUT_DEFAULT);
    }

    /** @return {@link #TCP_RETRIES_PROP_NAME} or its default. */
    public static int tcpRetries()
    {
        return Integer.getInteger(TCP_RETRIES_PROP_NAME, TCP_RETRIES_DEFAULT);
    }

    /** @return {@link #TCP_SYN_RETRIES_PROP_NAME} or its default. */
    public static int tcpSynRetries()
    {
        return Integer.getInteger(TCP_SYN_RETRIES_PROP_NAME, TCP_SYN_RETRIES_DEFAULT);
    }

    /** @return {@link #TCP_MIN_RTO_PROP_NAME} or its default, in nanoseconds. */
    public static long tcpMinRtoNs()
    {
        return SystemUtil.getDurationInNanos(TCP_MIN_RTO_PROP_NAME, TCP_MIN_RTO_DEFAULT);
    }

    /** @return {@link #TCP_MAX_RTO_PROP_NAME} or its default, in nanoseconds. */
    public static long tcpMaxRtoNs()
    {
        return SystemUtil.getDurationInNanos(TCP_MAX_RTO_PROP_NAME, TCP_MAX_RTO_DEFAULT);
    }

    /** @return {@link #TCP_NAGLE_PROP_NAME} or its default. */
    public static boolean tcpNagle()
    {
        return bool(TCP_NAGLE_PROP_NAME, TCP_NAGLE_DEFAULT);
    }

    /** @return {@link #TCP_BACKLOG_PROP_NAME} or its default. */
    public static int tcpBacklog()
    {
        return Integer.getInteger(TCP_BACKLOG_PROP_NAME, TCP_BACKLOG_DEFAULT);
    }

    /**
     * @return {@link #TCP_CONGESTION_CONTROL_PROP_NAME} or its default.
     * @throws IllegalArgumentException for a name that is not one of the algorithms.
     */
    public static CongestionAlgorithm tcpCongestionControl()
    {
        final String name = System.getProperty(TCP_CONGESTION_CONTROL_PROP_NAME);
        if (name == null || name.isBlank())
        {
            return TCP_CONGESTION_CONTROL_DEFAULT;
        }
        try
        {
            return CongestionAlgorithm.valueOf(name.strip().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("-D" + TCP_CONGESTION_CONTROL_PROP_NAME + " must be cubic, reno or bbr, got '"
                + name + "'");
        }
    }

    /** @return {@link #TCP_SACK_PROP_NAME} or its default. */
    public static boolean tcpSack()
    {
        return bool(TCP_SACK_PROP_NAME, TCP_SACK_DEFAULT);
    }

    /** @return {@link #TCP_PACING_PROP_NAME} or its default. */
    public static boolean tcpPacing()
    {
        return bool(TCP_PACING_PROP_NAME, TCP_PACING_DEFAULT);
    }

    /** @return {@link #BBR_LOSS_THRESH_PROP_NAME} or its default. */
    public static double bbrLossThresh()
    {
        final String value = System.getProperty(BBR_LOSS_THRESH_PROP_NAME);
        return value == null || value.isBlank() ? BBR_LOSS_THRESH_DEFAULT : Double.parseDouble(value.strip());
    }

    private static boolean bool(final String property, final boolean fallback)
    {
        final String value = System.getProperty(property);
        return value == null || value.isBlank() ? fallback : Boolean.parseBoolean(value.strip());
    }
}
