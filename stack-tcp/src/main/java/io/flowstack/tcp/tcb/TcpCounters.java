package io.flowstack.tcp.tcb;

import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.counter.CounterSet;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * TCP's counters on one core. Every dropped segment counts under its reason and in the core's total of drops.
 */
final class TcpCounters
{
    final AtomicCounter rxSegments;
    final AtomicCounter rxDropped;
    final AtomicCounter rxBadHeader;
    final AtomicCounter rxBadChecksum;
    final AtomicCounter rxBadOptions;
    final AtomicCounter rxBadFlags;
    final AtomicCounter rxOutOfWindow;
    final AtomicCounter rxBadAck;
    final AtomicCounter rxPaws;
    final AtomicCounter rxNoConnection;
    final AtomicCounter challengeAcks;
    final AtomicCounter challengeAcksLimited;
    final AtomicCounter resetsLimited;
    final AtomicCounter dupAcks;
    final AtomicCounter fastRetransmits;
    final AtomicCounter retransmits;
    final AtomicCounter timeouts;
    final AtomicCounter windowProbes;
    final AtomicCounter txSegments;
    final AtomicCounter txResets;
    final AtomicCounter txDrops;
    final AtomicCounter established;
    final AtomicCounter backlogDrops;
    final AtomicCounter flowsOwned;
    final AtomicCounter connections;
    final AtomicCounter keepAliveProbes;
    final AtomicCounter undos;
    final AtomicCounter tailLossProbes;
    final AtomicCounter syncookiesSent;
    final AtomicCounter syncookiesValid;
    final AtomicCounter syncookiesInvalid;
    final AtomicCounter pathMtuReductions;
    final AtomicCounter connectionLimitDrops;
    final AtomicCounter timeWaitOverflows;
    final AtomicCounter memoryBytes;
    final AtomicCounter memoryRefused;
    final AtomicCounter rxMemoryDrops;
    final AtomicCounter rxOutOfOrderLimitDrops;
    final AtomicCounter outOfOrderBytes;

    TcpCounters(final CounterSet c)
    {
        rxSegments = c.counter(TcpCounter.RX_SEGMENTS);
        rxDropped = c.counter(StackCounter.RX_DROPS);
        rxBadHeader = c.counter(TcpCounter.RX_BAD_HEADER);
        rxBadChecksum = c.counter(TcpCounter.RX_BAD_CHECKSUM);
        rxBadOptions = c.counter(TcpCounter.RX_BAD_OPTIONS);
        rxBadFlags = c.counter(TcpCounter.RX_BAD_FLAGS);
        rxOutOfWindow = c.counter(TcpCounter.RX_OUT_OF_WINDOW);
        rxBadAck = c.counter(TcpCounter.RX_BAD_ACK);
        rxPaws = c.counter(TcpCounter.RX_PAWS_REJECTED);
        rxNoConnection = c.counter(TcpCounter.RX_NO_CONNECTION);
        challengeAcks = c.counter(TcpCounter.TX_CHALLENGE_ACKS);
        challengeAcksLimited = c.counter(TcpCounter.TX_CHALLENGE_ACKS_LIMITED);
        resetsLimited = c.counter(TcpCounter.TX_RESETS_LIMITED);
        dupAcks = c.counter(TcpCounter.RX_DUP_ACKS);
        fastRetransmits = c.counter(TcpCounter.FAST_RETRANSMITS);
        retransmits = c.counter(TcpCounter.RETRANSMITS);
        timeouts = c.counter(TcpCounter.TIMEOUTS);
        windowProbes = c.counter(TcpCounter.TX_WINDOW_PROBES);
        txSegments = c.counter(TcpCounter.TX_SEGMENTS);
        txResets = c.counter(TcpCounter.TX_RESETS);
        txDrops = c.counter(TcpCounter.TX_DROPS);
        established = c.counter(TcpCounter.ESTABLISHED);
        backlogDrops = c.counter(TcpCounter.RX_BACKLOG_DROPS);
        flowsOwned = c.counter(StackCounter.FLOWS_OWNED);
        connections = c.counter(TcpCounter.CONNECTIONS);
        keepAliveProbes = c.counter(TcpCounter.TX_KEEPALIVE_PROBES);
        undos = c.counter(TcpCounter.UNDOS);
        tailLossProbes = c.counter(TcpCounter.TX_TAIL_LOSS_PROBES);
        syncookiesSent = c.counter(TcpCounter.SYNCOOKIES_SENT);
        syncookiesValid = c.counter(TcpCounter.SYNCOOKIES_VALID);
        syncookiesInvalid = c.counter(TcpCounter.SYNCOOKIES_INVALID);
        pathMtuReductions = c.counter(TcpCounter.PATH_MTU_REDUCTIONS);
        connectionLimitDrops = c.counter(TcpCounter.CONNECTION_LIMIT_DROPS);
        timeWaitOverflows = c.counter(TcpCounter.TIME_WAIT_OVERFLOWS);
        memoryBytes = c.counter(TcpCounter.MEMORY_BYTES);
        memoryRefused = c.counter(TcpCounter.MEMORY_REFUSED);
        rxMemoryDrops = c.counter(TcpCounter.RX_MEMORY_DROPS);
        rxOutOfOrderLimitDrops = c.counter(TcpCounter.RX_OOO_LIMIT_DROPS);
        outOfOrderBytes = c.counter(TcpCounter.OOO_BYTES);
    }
}
