package io.flowstack.tap.bpf;

/**
 * Extended BPF encoding constants (include/uapi/linux/bpf.h, bpf_common.h): instruction classes, sizes, modes,
 * operations, registers and the helper functions flowstack calls.
 * <p>
 * An instruction is 8 bytes: opcode, destination register (low nibble) and source register (high nibble), a
 * signed 16-bit offset and a signed 32-bit immediate, in the machine's byte order.
 */
public final class Ebpf
{
    /** Bytes per instruction. */
    public static final int INSN_SIZE = 8;

    /** Class: load from an immediate (64-bit immediate loads). */
    public static final int LD = 0x00;
    /** Class: load into a register from memory. */
    public static final int LDX = 0x01;
    /** Class: store an immediate to memory. */
    public static final int ST = 0x02;
    /** Class: store a register to memory. */
    public static final int STX = 0x03;
    /** Class: 32-bit arithmetic (results are zero-extended to 64 bits). */
    public static final int ALU = 0x04;
    /** Class: jumps comparing 64 bits, calls, exit. */
    public static final int JMP = 0x05;
    /** Class: jumps comparing the low 32 bits. */
    public static final int JMP32 = 0x06;
    /** Class: 64-bit arithmetic. */
    public static final int ALU64 = 0x07;

    /** Size: 32 bits. */
    public static final int W = 0x00;
    /** Size: 16 bits. */
    public static final int H = 0x08;
    /** Size: 8 bits. */
    public static final int B = 0x10;
    /** Size: 64 bits. */
    public static final int DW = 0x18;

    /** Mode: immediate. */
    public static final int IMM = 0x00;
    /** Mode: memory at register plus offset. */
    public static final int MEM = 0x60;

    /** Source operand: the immediate. */
    public static final int K = 0x00;
    /** Source operand: the source register. */
    public static final int X = 0x08;

    /** ALU: dst += src. */
    public static final int ADD = 0x00;
    /** ALU: dst -= src. */
    public static final int SUB = 0x10;
    /** ALU: dst *= src. */
    public static final int MUL = 0x20;
    /** ALU: dst |= src. */
    public static final int OR = 0x40;
    /** ALU: dst &= src. */
    public static final int AND = 0x50;
    /** ALU: dst <<= src. */
    public static final int LSH = 0x60;
    /** ALU: dst >>= src (logical). */
    public static final int RSH = 0x70;
    /** ALU: dst ^= src. */
    public static final int XOR = 0xa0;
    /** ALU: dst = src. */
    public static final int MOV = 0xb0;
    /** ALU: byte swap; with {@link #TO_BE} converts from the machine's order to big-endian (network order). */
    public static final int END = 0xd0;
    /** {@link #END} flag: to big-endian. */
    public static final int TO_BE = 0x08;

    /** Jump: always (offset only). */
    public static final int JA = 0x00;
    /** Jump if equal. */
    public static final int JEQ = 0x10;
    /** Jump if greater (unsigned). */
    public static final int JGT = 0x20;
    /** Jump if greater or equal (unsigned). */
    public static final int JGE = 0x30;
    /** Jump if dst &amp; src is not zero. */
    public static final int JSET = 0x40;
    /** Jump if not equal. */
    public static final int JNE = 0x50;
    /** Jump if less (unsigned). */
    public static final int JLT = 0xa0;
    /** Call a helper function (immediate: its number). */
    public static final int CALL = 0x80;
    /** Return r0. */
    public static final int EXIT = 0x90;

    /** Return value and helper results. */
    public static final int R0 = 0;
    /** First helper argument; the context (the {@code __sk_buff}) at entry. */
    public static final int R1 = 1;
    /** Second helper argument. */
    public static final int R2 = 2;
    /** Third helper argument. */
    public static final int R3 = 3;
    /** Fourth helper argument. */
    public static final int R4 = 4;
    /** Fifth helper argument. */
    public static final int R5 = 5;
    /** Preserved across calls. */
    public static final int R6 = 6;
    /** Preserved across calls. */
    public static final int R7 = 7;
    /** Preserved across calls. */
    public static final int R8 = 8;
    /** Preserved across calls. */
    public static final int R9 = 9;
    /** Frame pointer (read only): the 512-byte stack lies below it. */
    public static final int R10 = 10;

    /** Source register of a 64-bit immediate load that names a map by its descriptor. */
    public static final int PSEUDO_MAP_FD = 1;

    /** Helper: {@code void *bpf_map_lookup_elem(map, key)}. */
    public static final int FUNC_MAP_LOOKUP_ELEM = 1;
    /**
     * Helper: {@code long bpf_skb_load_bytes_relative(skb, offset, to, len, start_header)}: copies bytes from the
     * linear part of the frame, counted from its MAC or network header, or zeroes {@code to} and returns an error
     * when they are not all there.
     */
    public static final int FUNC_SKB_LOAD_BYTES_RELATIVE = 68;
    /** {@code start_header} of {@link #FUNC_SKB_LOAD_BYTES_RELATIVE}: the MAC header. */
    public static final int HDR_START_MAC = 0;

    private Ebpf()
    {
    }
}
