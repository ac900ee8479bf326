package io.flowstack.tcp.tcb;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.TcpConfig;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many peers at once for load tests: one core of the stack (198.18.0.2/24) on an in-memory link with a virtual
 * clock, and behind its gateway (198.18.0.1) any number of remote hosts whose segments the test writes directly,
 * with the options a Linux client sends (MSS 1460, SACK-permitted, timestamps, window scale 7). Every segment the
 * stack sends is handed to a {@link Reply}; ARP for the gateway is answered here. Nothing is kept per connection
 * on this side: the test derives what it needs from the segments.
 */
final class LoadPeer implements AutoCloseable
{
    static final long STACK_MAC = 0x02_00_00_00_00_02L;
    static final long GATEWAY_MAC = 0x02_00_00_00_00_01L;
    static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    static final int GATEWAY_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    /** First remote address: 198.19.0.0 and up, off-link, so every reply goes to the gateway. */
    static final int REMOTE_BASE = Ipv4Flyweight.parseAddress("198.19.0.0");

    /** What the stack sent: one TCP segment, its fields unpacked. */
    interface Reply
    {
        /**
         * @param remote     destination address (the remote host).
         * @param remotePort destination port.
         * @param localPort  source port (the stack's).
         * @param flags      TCP flags.
         * @param seq        sequence number.
         * @param ack        acknowledgment number.
         * @param tsVal      the stack's TSval (0 without timestamps).
         * @param payload    bytes of data.
         */
        void segment(int remote, int remotePort, int localPort, int flags, int seq, int ack, int tsVal, int payload);
    }

    final VirtualClock clock = new VirtualClock(1_000_000_000L);
    final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 24);
    final FlowStack stack;
    final TcpLayer tcp;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2048]);
    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcpOut = new TcpFlyweight();
    private final TcpFlyweight tcpIn = new TcpFlyweight();
    private final Ipv4Flyweight ipIn = new Ipv4Flyweight();
    private final TcpOptions options = new TcpOptions();
    private final TcpOptions optionsIn = new TcpOptions();
    private final MessageHandler collector = this::collect;
    private Reply reply = (remote, remotePort, localPort, flags, seq, ack, tsVal, payload) -> { };
    private boolean arpAnswer;
    private boolean running;
    private int injected;

    LoadPeer(final TcpConfig config) throws java.io.IOException
    {
        stack = FlowStack.builder()
            .clock(clock)
            .rssKey(ToeplitzHash.microsoftKey())
            .tcp(config)
            .poolSlots(1024)
            .addInterface(new IpInterface(0, STACK_MAC, STACK_IP, 24, 1500, GATEWAY_IP), NetworkDevice.shared(driver))
            .build();
        tcp = stack.tcp(0);
        stack.engine(0).start();
        // The gateway introduces itself, as a router would before the first segment it forwards.
        final int n = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
        new EthernetRepr(EthernetFlyweight.BROADCAST, GATEWAY_MAC, EthernetFlyweight.TYPE_ARP).emit(eth.wrap(scratch, 0, n));
        new ArpRepr(ArpFlyweight.OP_REQUEST, GATEWAY_MAC, GATEWAY_IP, 0, STACK_IP)
            .emit(new ArpFlyweight().wrap(scratch, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
        driver.inject(scratch, 0, n);
        run();
    }

    /** @param reply receives every segment the stack sends from now on. */
    void onReply(final Reply reply)
    {
        this.reply = reply;
    }

    /** @return the address of remote host {@code i}. */
    static int remote(final int i)
    {
        return REMOTE_BASE + i;
    }

    /** A SYN with a Linux client's options. */
    void syn(final int remote, final int remotePort, final int localPort, final int isn)
    {
        options.reset().mss(1460).sackPermitted(true).timestamps(tsClock(), 0).windowScale(7);
        segment(remote, remotePort, localPort, TcpFlyweight.SYN, isn, 0, 64240, options, null, 0);
    }

    /** A segment of an established connection, with timestamps, and {@code length} bytes of data (zeros). */
    void send(final int remote, final int remotePort, final int localPort, final int flags, final int seq,
        final int ack, final int tsEcr, final byte[] data, final int length)
    {
        options.reset().timestamps(tsClock(), tsEcr);
        segment(remote, remotePort, localPort, flags, seq, ack, 502, options, data, length);
    }

    /** The remote hosts' timestamp clock: milliseconds of virtual time. */
    private int tsClock()
    {
        return (int)(clock.nanoTime() / 1_000_000L);
    }

    private void segment(final int remote, final int remotePort, final int localPort, final int flags, final int seq,
        final int ack, final int window, final TcpOptions opts, final byte[] data, final int length)
    {
        final int headerLength = TcpFlyweight.HEADER_LENGTH + opts.length();
        final int tcpLength = headerLength + length;
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + tcpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        eth.wrap(scratch, 0, n).destination(STACK_MAC).source(GATEWAY_MAC).etherType(EthernetFlyweight.TYPE_IPV4);
        final int tcpAt = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;
        tcpOut.wrap(scratch, tcpAt, tcpLength).sourcePort(remotePort).destinationPort(localPort).sequenceNumber(seq)
            .acknowledgmentNumber(ack).dataOffset(headerLength).flags(flags).window(window).urgentPointer(0);
        opts.emit(scratch, tcpAt + TcpFlyweight.HEADER_LENGTH);
        if (length > 0)
        {
            scratch.putBytes(tcpAt + headerLength, data, 0, length);
        }
        tcpOut.computeChecksum(remote, STACK_IP, tcpLength);
        ip.wrap(scratch, EthernetFlyweight.HEADER_LENGTH, total).versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
            .dscpEcn(0).totalLength(total).identification(0).flagsFragment(0x4000).ttl(64)
            .protocol(Ipv4Flyweight.PROTO_TCP).source(remote).destination(STACK_IP).computeChecksum();
        if (!driver.inject(scratch, 0, n))
        {
            fail("the in-memory link is full");
        }
        if (++injected >= 256 && !running)
        {
            run();
        }
    }

    /** Runs the core until it has nothing to do now, handing what it sent to the {@link Reply} (which may send). */
    void run()
    {
        if (running)
        {
            // Called from a reply: the run under way picks up what was just sent.
            return;
        }
        running = true;
        injected = 0;
        int guard = 0;
        do
        {
            arpAnswer = false;
            while (stack.engine(0).doWork() > 0)
            {
                if (++guard > 10_000_000)
                {
                    fail("stack does not settle");
                }
                driver.drainTransmitted(collector, Integer.MAX_VALUE);
            }
            driver.drainTransmitted(collector, Integer.MAX_VALUE);
            if (arpAnswer)
            {
                final int n = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
                new EthernetRepr(STACK_MAC, GATEWAY_MAC, EthernetFlyweight.TYPE_ARP).emit(eth.wrap(scratch, 0, n));
                new ArpRepr(ArpFlyweight.OP_REPLY, GATEWAY_MAC, GATEWAY_IP, STACK_MAC, STACK_IP)
                    .emit(new ArpFlyweight().wrap(scratch, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
                driver.inject(scratch, 0, n);
            }
        }
        while (arpAnswer);
        running = false;
    }

    /** Moves virtual time forward and runs what became due. */
    void advance(final long nanos)
    {
        clock.advance(nanos);
        run();
    }

    long counter(final String name)
    {
        return stack.ip(0).counters().get(name);
    }

    private void collect(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        eth.wrap(buffer, index, length);
        if (eth.etherType() == EthernetFlyweight.TYPE_ARP)
        {
            arpAnswer = true;
            return;
        }
        if (eth.etherType() != EthernetFlyweight.TYPE_IPV4)
        {
            return;
        }
        ipIn.wrap(buffer, index + EthernetFlyweight.HEADER_LENGTH, length - EthernetFlyweight.HEADER_LENGTH);
        if (ipIn.protocol() != Ipv4Flyweight.PROTO_TCP)
        {
            return;
        }
        tcpIn.wrap(buffer, ipIn.payloadOffset(), ipIn.payloadLength());
        optionsIn.parse(buffer, tcpIn.offset() + TcpFlyweight.HEADER_LENGTH, tcpIn.dataOffset() - TcpFlyweight.HEADER_LENGTH);
        reply.segment(ipIn.destination(), tcpIn.destinationPort(), tcpIn.sourcePort(), tcpIn.flags(),
            tcpIn.sequenceNumber(), tcpIn.acknowledgmentNumber(), optionsIn.hasTimestamps() ? optionsIn.tsVal() : 0,
            ipIn.payloadLength() - tcpIn.dataOffset());
    }

    @Override
    public void close()
    {
        stack.close();
    }
}
