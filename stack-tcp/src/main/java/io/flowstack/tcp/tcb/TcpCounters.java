package io.flowstack.tcp.tcb;

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

    TcpCounters(final CounterSet c)
    {
        rxSegments = c.counter("tcp.rx.segments");
        rxDropped = c.counter(CounterSet.RX_DROPS);
        rxBadHeader = c.counter("tcp.rx.bad_header");
        rxBadChecksum = c.counter("tcp.rx.bad_checksum");
        rxBadOptions = c.counter("tcp.rx.bad_options");
        rxBadFlags = c.counter("tcp.rx.bad_flags");
        rxOutOfWindow = c.counter("tcp.rx.out_of_window");
        rxBadAck = c.counter("tcp.rx.bad_ack");
        rxPaws = c.counter("tcp.rx.paws_rejected");
        rxNoConnection = c.counter("tcp.rx.no_connection");
        challengeAcks = c.counter("tcp.tx.challenge_acks");
        challengeAcksLimited = c.counter("tcp.tx.challenge_acks_limited");
        resetsLimited = c.counter("tcp.tx.resets_limited");
        dupAcks = c.counter("tcp.rx.dup_acks");
        fastRetransmits = c.counter("tcp.fast_retransmits");
        retransmits = c.counter("tcp.retransmits");
        timeouts = c.counter("tcp.timeouts");
        windowProbes = c.counter("tcp.tx.window_probes");
        txSegments = c.counter("tcp.tx.segments");
        txResets = c.counter("tcp.tx.resets");
        txDrops = c.counter("tcp.tx.drops");
        established = c.counter("tcp.established");
        backlogDrops = c.counter("tcp.rx.backlog_drops");
        flowsOwned = c.counter("flows.owned");
        connections = c.counter("tcp.connections");
        keepAliveProbes = c.counter("tcp.tx.keepalive_probes");
        undos = c.counter("tcp.undos");
        tailLossProbes = c.counter("tcp.tx.tail_loss_probes");
        syncookiesSent = c.counter("tcp.syncookies.sent");
        syncookiesValid = c.counter("tcp.syncookies.valid");
        syncookiesInvalid = c.counter("tcp.syncookies.invalid");
        pathMtuReductions = c.counter("tcp.path_mtu_reductions");
    }
}
