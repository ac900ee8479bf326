package io.flowstack.ip.ipv4;

/**
 * IPv4 header layout (RFC 791 3.1) as far as fragmentation and reassembly need it. Offsets are from the start of
 * the IP header; multi-byte fields are big-endian. Kept package-private and independent of the IPv4 flyweight so
 * that the fragment code only depends on the wire layout, not on another class's API.
 */
final class FragmentFields
{
    /** Version (high nibble) and IHL in 32-bit words (low nibble). */
    static final int VERSION_IHL_OFFSET = 0;
    /** Total length, u16: header plus data in bytes. */
    static final int TOTAL_LENGTH_OFFSET = 2;
    /** Identification, u16. */
    static final int IDENTIFICATION_OFFSET = 4;
    /** Flags (3 bits) and fragment offset (13 bits, 8-byte units), u16. */
    static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Protocol, u8. */
    static final int PROTOCOL_OFFSET = 9;
    /** Header checksum, u16. */
    static final int CHECKSUM_OFFSET = 10;
    /** Source address, i32. */
    static final int SOURCE_OFFSET = 12;
    /** Destination address, i32. */
    static final int DESTINATION_OFFSET = 16;
    /** First option byte. */
    static final int OPTIONS_OFFSET = 20;

    /** Reserved flag bit; must be zero (RFC 791 3.1), carried through unchanged. */
    static final int FLAG_RESERVED = 0x8000;
    /** Don't Fragment. */
    static final int FLAG_DF = 0x4000;
    /** More Fragments. */
    static final int FLAG_MF = 0x2000;
    /** Fragment offset bits of the flags/offset word. */
    static final int OFFSET_MASK = 0x1FFF;

    /** Header without options. */
    static final int MIN_HEADER_LENGTH = 20;
    /** IHL is 4 bits of 32-bit words: 15 * 4. */
    static final int MAX_HEADER_LENGTH = 60;
    /** Largest total length the 16-bit field can express. */
    static final int MAX_DATAGRAM_LENGTH = 65_535;
    /** RFC 791 3.2: every internet module must be able to forward a 68-byte datagram without fragmenting it. */
    static final int MIN_MTU = 68;

    /** Option type End of Option List (RFC 791 3.1): ends the options; the rest of the header is padding. */
    static final int OPTION_EOOL = 0;
    /** Option type No Operation: a single byte. */
    static final int OPTION_NOP = 1;
    /** Copied flag in the option type octet: the option goes into every fragment (RFC 791 3.1). */
    static final int OPTION_COPIED = 0x80;

    private FragmentFields()
    {
    }
}
