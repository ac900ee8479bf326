package io.flowstack.ip.wire;

/**
 * Known frames for the wire tests, as a Linux host sends them. Checksums were computed independently
 * (python3) and confirmed by Wireshark 4.0 ({@code tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE}).
 */
final class Packets
{
    /**
     * ARP request, broadcast, padded to the 60-byte minimum: "who has 10.0.2.2? tell 10.0.2.15" from
     * 52:54:00:12:34:56.
     */
    static final String ARP_REQUEST =
        "ff ff ff ff ff ff 52 54 00 12 34 56 08 06" +
        "00 01 08 00 06 04 00 01 52 54 00 12 34 56 0a 00 02 0f 00 00 00 00 00 00 0a 00 02 02" +
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    /**
     * ICMP echo request as iputils ping sends it: 192.168.1.100 -> 192.168.1.1, id 0x3d5a, DF, TTL 64, IP
     * checksum 0x7999; ICMP identifier 0x1c46, sequence 1, checksum 0x86ad, 56 bytes of data (a 16-byte
     * timeval, then 0x10..0x37).
     */
    static final String PING_REQUEST =
        "52 54 00 aa bb 01 52 54 00 12 34 56 08 00" +
        "45 00 00 54 3d 5a 40 00 40 01 79 99 c0 a8 01 64 c0 a8 01 01" +
        "08 00 86 ad 1c 46 00 01" +
        "00 f1 53 65 00 00 00 00 40 e2 01 00 00 00 00 00" +
        "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f" +
        "30 31 32 33 34 35 36 37";

    /**
     * DNS query for example.com A: 10.0.2.15:53000 -> 10.0.2.3:53, IP id 0x8f21, no DF, TTL 64, IP checksum
     * 0xd381; UDP length 37, checksum 0x9d19.
     */
    static final String DNS_QUERY =
        "52 54 00 12 35 02 52 54 00 12 34 56 08 00" +
        "45 00 00 39 8f 21 00 00 40 11 d3 81 0a 00 02 0f 0a 00 02 03" +
        "cf 08 00 35 00 25 9d 19" +
        "ab cd 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01";

    private Packets()
    {
    }
}
