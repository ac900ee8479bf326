package io.flowstack.ip.wire;

/**
 * Known TCP segments for the wire tests, IPv4 header included. Captured from Linux 6.18 on a loopback device
 * with MTU 1500 in a private network namespace (198.18.0.1:45678 -> 198.18.0.2:8080, net.ipv4.tcp_rmem
 * "4096 131072 6291456" for window scale 7). The loopback leaves TCP checksums to offload, so they were computed
 * independently (python3) and confirmed by Wireshark 4.0 ({@code tshark -o tcp.check_checksum:TRUE}).
 */
final class TcpPackets
{
    /** Source of the client's segments. */
    static final int CLIENT_IP = 0xc612_0001;

    /** Source of the server's segments. */
    static final int SERVER_IP = 0xc612_0002;

    /**
     * SYN: seq 0x316a2cc9, window 64240, MSS 1460, SACK-permitted, TSval 0xf76cbfa9, TSecr 0, NOP, WS 7; TCP
     * checksum 0xd99e.
     */
    static final String SYN =
        "45 00 00 3c 8c ff 40 00 40 06 21 95 c6 12 00 01 c6 12 00 02" +
        "b2 6e 1f 90 31 6a 2c c9 00 00 00 00 a0 02 fa f0 d9 9e 00 00" +
        "02 04 05 b4 04 02 08 0a f7 6c bf a9 00 00 00 00 01 03 03 07";

    /**
     * SYN-ACK: seq 0xb22a093e, ack 0x316a2cca, window 65160, the same options with TSval 0x0a08de5e and TSecr
     * echoing the SYN; TCP checksum 0x3226.
     */
    static final String SYN_ACK =
        "45 00 00 3c 00 00 40 00 40 06 ae 94 c6 12 00 02 c6 12 00 01" +
        "1f 90 b2 6e b2 2a 09 3e 31 6a 2c ca a0 12 fe 88 32 26 00 00" +
        "02 04 05 b4 04 02 08 0a 0a 08 de 5e f7 6c bf a9 01 03 03 07";

    /**
     * Data: PSH|ACK, seq 0x316a2cca, ack 0xb22a093f, window 502 (scaled), NOP, NOP, TSval 0xf76cbfdc, TSecr
     * 0x0a08de5e, 17 bytes "hello, flowstack\n"; TCP checksum 0x3325.
     */
    static final String DATA =
        "45 00 00 45 8d 01 40 00 40 06 21 8a c6 12 00 01 c6 12 00 02" +
        "b2 6e 1f 90 31 6a 2c ca b2 2a 09 3f 80 18 01 f6 33 25 00 00" +
        "01 01 08 0a f7 6c bf dc 0a 08 de 5e" +
        "68 65 6c 6c 6f 2c 20 66 6c 6f 77 73 74 61 63 6b 0a";

    /**
     * Made in python3 from the server's ACK of {@link #DATA} (not captured): ACK, seq 0xb22a093f, ack 0x316a2cdb,
     * window 509, NOP, NOP, TSval 0x0a08de91, TSecr 0xf76cbfdc, NOP, NOP, SACK [0x316a3000, 0x316a3400)
     * [0x316a3800, 0x316a3c00); TCP checksum 0x6936.
     */
    static final String SACK_ACK =
        "45 00 00 48 44 06 40 00 40 06 6a 82 c6 12 00 02 c6 12 00 01" +
        "1f 90 b2 6e b2 2a 09 3f 31 6a 2c db d0 10 01 fd 69 36 00 00" +
        "01 01 08 0a 0a 08 de 91 f7 6c bf dc" +
        "01 01 05 12 31 6a 30 00 31 6a 34 00 31 6a 38 00 31 6a 3c 00";

    /** Length of the IPv4 header before each segment. */
    static final int IP_HEADER_LENGTH = 20;

    private TcpPackets()
    {
    }
}
