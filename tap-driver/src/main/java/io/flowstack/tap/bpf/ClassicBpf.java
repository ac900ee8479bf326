package io.flowstack.tap.bpf;

/**
 * Classic BPF encoding constants (include/uapi/linux/filter.h, bpf_common.h) and the kernel's limits for it.
 * <p>
 * An instruction ({@code struct sock_filter}) is 8 bytes: a 16-bit opcode, two 8-bit forward jump offsets (taken,
 * not taken) and a 32-bit constant. The machine has an accumulator A, an index register X and 16 scratch words
 * M[0..15]; every jump goes forward, so every program ends.
 */
public final class ClassicBpf
{
    /** Bytes per instruction. */
    public static final int INSN_SIZE = 8;
    /** Longest program the kernel takes ({@code BPF_MAXINSNS}). */
    public static final int MAX_INSNS = 4096;
    /** Scratch words M[0..15] ({@code BPF_MEMWORDS}). */
    public static final int MEMWORDS = 16;
    /** Farthest a conditional jump reaches (its offsets are 8 bits). */
    public static final int MAX_CONDITIONAL_JUMP = 255;

    /** Class: load into A. */
    public static final int LD = 0x00;
    /** Class: load into X. */
    public static final int LDX = 0x01;
    /** Class: store A into M[k]. */
    public static final int ST = 0x02;
    /** Class: store X into M[k]. */
    public static final int STX = 0x03;
    /** Class: arithmetic on A. */
    public static final int ALU = 0x04;
    /** Class: jumps. */
    public static final int JMP = 0x05;
    /** Class: return. */
    public static final int RET = 0x06;
    /** Class: register transfers. */
    public static final int MISC = 0x07;

    /** Size: 32 bits. */
    public static final int W = 0x00;
    /** Size: 16 bits. */
    public static final int H = 0x08;
    /** Size: 8 bits. */
    public static final int B = 0x10;

    /** Mode: the constant k. */
    public static final int IMM = 0x00;
    /** Mode: the frame at absolute offset k (loads are big-endian, as on the wire). */
    public static final int ABS = 0x20;
    /** Mode: the frame at offset X + k. */
    public static final int IND = 0x40;
    /** Mode: scratch word M[k]. */
    public static final int MEM = 0x60;
    /** Mode: the frame's length ({@code skb->len}). */
    public static final int LEN = 0x80;
    /** Mode (LDX with {@link #B}): X = 4 * (frame[k] &amp; 0x0f), an IPv4 header length. */
    public static final int MSH = 0xa0;

    /** Operand: the constant k. */
    public static final int K = 0x00;
    /** Operand: X. */
    public static final int X = 0x08;
    /** RET operand: A. */
    public static final int A = 0x10;

    /** ALU: A &amp;= operand. */
    public static final int AND = 0x50;
    /** ALU: A |= operand. */
    public static final int OR = 0x40;
    /** ALU: A &lt;&lt;= operand. */
    public static final int LSH = 0x60;
    /** ALU: A &gt;&gt;= operand (logical). */
    public static final int RSH = 0x70;
    /** ALU: A ^= operand. */
    public static final int XOR = 0xa0;
    /** ALU: A += operand. */
    public static final int ADD = 0x00;

    /** Jump always, by k. */
    public static final int JA = 0x00;
    /** Jump if A == operand. */
    public static final int JEQ = 0x10;
    /** Jump if A &gt; operand (unsigned). */
    public static final int JGT = 0x20;
    /** Jump if A &gt;= operand (unsigned). */
    public static final int JGE = 0x30;
    /** Jump if A &amp; operand is not zero. */
    public static final int JSET = 0x40;

    /** MISC: X = A. */
    public static final int TAX = 0x00;
    /** MISC: A = X. */
    public static final int TXA = 0x80;

    /**
     * Base of loads relative to the link-layer (MAC) header ({@code SKF_LL_OFF}), whatever header the frame's data
     * starts at where the program runs.
     */
    public static final int LL_OFF = -0x200000;

    private ClassicBpf()
    {
    }
}
