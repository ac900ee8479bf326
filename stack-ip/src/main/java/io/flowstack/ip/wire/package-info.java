/**
 * Wire views of the link and network layers: Ethernet II, ARP, IPv4, ICMPv4, UDP and TCP.
 * <p>
 * Each protocol has a flyweight ({@code *Flyweight}) over a buffer and a value form ({@code *Repr}) for tests and
 * setup code. The rule for the flyweights: {@code wrap} records the window; {@code check()} (or
 * {@code validate()} for IPv4) checks the length and the length fields once and reports bad input by its result,
 * never by throwing. After a successful check no getter reads outside the window. All multi-byte fields are in
 * network byte order. Getters and setters allocate nothing. TCP options are parsed into and emitted from a
 * reusable {@link io.flowstack.ip.wire.TcpOptions}, which allocates nothing either.
 */
package io.flowstack.ip.wire;
