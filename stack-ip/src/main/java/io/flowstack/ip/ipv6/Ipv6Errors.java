package io.flowstack.ip.ipv6;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * The ICMPv6 errors (RFC 4443) IPv6 asks for; ICMPv6 implements it (rate limited). The caller keeps the packet.
 */
public interface Ipv6Errors
{
    /** Destination unreachable code: port unreachable (RFC 4443 3.1). */
    int CODE_PORT_UNREACHABLE = 4;
    /** Parameter problem code: erroneous header field (RFC 4443 3.4). */
    int CODE_ERRONEOUS_FIELD = 0;
    /** Parameter problem code: unrecognized next header. */
    int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    /** Parameter problem code: unrecognized IPv6 option. */
    int CODE_UNRECOGNIZED_OPTION = 2;

    /**
     * @param packet the offending packet, window at its IPv6 header.
     * @param code   destination unreachable code.
     */
    void unreachable(PacketBuffer packet, int code);

    /** Time exceeded code: fragment reassembly time exceeded (RFC 4443 3.3). */
    int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * @param packet what is left of the packet, window at its IPv6 header.
     * @param code   time exceeded code.
     */
    void timeExceeded(PacketBuffer packet, int code);

    /**
     * @param packet  the offending packet, window at its IPv6 header.
     * @param code    parameter problem code.
     * @param pointer offset of the offending byte from the start of the IPv6 header.
     */
    void parameterProblem(PacketBuffer packet, int code, int pointer);
}
