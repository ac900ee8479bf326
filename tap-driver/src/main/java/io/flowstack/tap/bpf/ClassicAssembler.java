package io.flowstack.tap.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.flowstack.tap.bpf.ClassicBpf.ALU;
import static io.flowstack.tap.bpf.ClassicBpf.JA;
import static io.flowstack.tap.bpf.ClassicBpf.JMP;
import static io.flowstack.tap.bpf.ClassicBpf.K;
import static io.flowstack.tap.bpf.ClassicBpf.LD;
import static io.flowstack.tap.bpf.ClassicBpf.LDX;
import static io.flowstack.tap.bpf.ClassicBpf.MEM;
import static io.flowstack.tap.bpf.ClassicBpf.MISC;
import static io.flowstack.tap.bpf.ClassicBpf.RET;
import static io.flowstack.tap.bpf.ClassicBpf.ST;
import static io.flowstack.tap.bpf.ClassicBpf.X;

/**
 * Emits a classic BPF program with labels. Conditional jumps reach at most {@value ClassicBpf#MAX_CONDITIONAL_JUMP}
 * instructions ahead; {@link #jumpIf} reaches anywhere (a conditional over an unconditional jump) for targets that
 * may be far. {@link #assemble()} resolves the labels and refuses what does not fit.
 * <p>
 * Not thread-safe; one program per instance.
 */
public final class ClassicAssembler
{
    /** A jump target (forward only, as classic BPF requires); bind it once with {@link #bind(Label)}. */
    public static final class Label
    {
        private int position = -1;
    }

    private int[] opcodes = new int[64];
    private int[] ks = new int[64];
    private Label[] taken = new Label[64];
    private Label[] notTaken = new Label[64];
    private int count;

    /**
     * @return a new, unbound label.
     */
    public Label label()
    {
        return new Label();
    }

    /**
     * Binds a label to the next instruction.
     *
     * @param label the label.
     * @return this
     */
    public ClassicAssembler bind(final Label label)
    {
        if (label.position >= 0)
        {
            throw new IllegalStateException("label bound twice");
        }
        label.position = count;
        return this;
    }

    /**
     * @return instructions emitted so far.
     */
    public int size()
    {
        return count;
    }

    /**
     * A = the 8, 16 or 32 bits of the frame at offset k (big-endian), relative to where the frame's data starts
     * or, with {@link ClassicBpf#LL_OFF} added, to its MAC header. A load beyond the frame ends the program with 0.
     *
     * @param size {@link ClassicBpf#B}, {@link ClassicBpf#H} or {@link ClassicBpf#W}.
     * @param k    offset.
     * @return this
     */
    public ClassicAssembler loadAbsolute(final int size, final int k)
    {
        return emit(LD | size | ClassicBpf.ABS, k, null, null);
    }

    /**
     * A = the 8, 16 or 32 bits of the frame at offset X + k (big-endian); see {@link #loadAbsolute}.
     *
     * @param size {@link ClassicBpf#B}, {@link ClassicBpf#H} or {@link ClassicBpf#W}.
     * @param k    offset added to X.
     * @return this
     */
    public ClassicAssembler loadIndirect(final int size, final int k)
    {
        return emit(LD | size | ClassicBpf.IND, k, null, null);
    }

    /**
     * A = the frame's length as the kernel counts it where the program runs ({@code skb->len}).
     *
     * @return this
     */
    public ClassicAssembler loadLength()
    {
        return emit(LD | ClassicBpf.W | ClassicBpf.LEN, 0, null, null);
    }

    /**
     * A = k.
     *
     * @param k constant.
     * @return this
     */
    public ClassicAssembler loadConstant(final int k)
    {
        return emit(LD | ClassicBpf.W | ClassicBpf.IMM, k, null, null);
    }

    /**
     * A = M[word].
     *
     * @param word scratch word 0..15.
     * @return this
     */
    public ClassicAssembler loadScratch(final int word)
    {
        return emit(LD | ClassicBpf.W | MEM, scratch(word), null, null);
    }

    /**
     * X = M[word].
     *
     * @param word scratch word 0..15.
     * @return this
     */
    public ClassicAssembler loadScratchX(final int word)
    {
        return emit(LDX | ClassicBpf.W | MEM, scratch(word), null, null);
    }

    /**
     * X = 4 * (frame[k] &amp; 0x0f): the length of the IPv4 header whose first byte is at k.
     *
     * @param k offset of the header's first byte.
     * @return this
     */
    public ClassicAssembler loadHeaderLengthX(final int k)
    {
        return emit(LDX | ClassicBpf.B | ClassicBpf.MSH, k, null, null);
    }

    /**
     * M[word] = A.
     *
     * @param word scratch word 0..15.
     * @return this
     */
    public ClassicAssembler store(final int word)
    {
        return emit(ST, scratch(word), null, null);
    }

    /**
     * A = A OP k.
     *
     * @param op an ALU operation of {@link ClassicBpf}.
     * @param k  constant.
     * @return this
     */
    public ClassicAssembler alu(final int op, final int k)
    {
        return emit(ALU | op | K, k, null, null);
    }

    /**
     * A = A OP X.
     *
     * @param op an ALU operation of {@link ClassicBpf}.
     * @return this
     */
    public ClassicAssembler aluX(final int op)
    {
        return emit(ALU | op | X, 0, null, null);
    }

    /**
     * X = A.
     *
     * @return this
     */
    public ClassicAssembler tax()
    {
        return emit(MISC | ClassicBpf.TAX, 0, null, null);
    }

    /**
     * Returns k.
     *
     * @param k the program's result.
     * @return this
     */
    public ClassicAssembler returnConstant(final int k)
    {
        return emit(RET | K, k, null, null);
    }

    /**
     * Returns A.
     *
     * @return this
     */
    public ClassicAssembler returnA()
    {
        return emit(RET | ClassicBpf.A, 0, null, null);
    }

    /**
     * Compares A with k and goes to {@code ifTrue} or {@code ifFalse}; null means the next instruction. Both
     * targets must be within {@value ClassicBpf#MAX_CONDITIONAL_JUMP} instructions.
     *
     * @param op      {@link ClassicBpf#JEQ}, {@link ClassicBpf#JGT}, {@link ClassicBpf#JGE} or {@link ClassicBpf#JSET}.
     * @param k       constant.
     * @param ifTrue  target when the comparison holds, or null.
     * @param ifFalse target otherwise, or null.
     * @return this
     */
    public ClassicAssembler jump(final int op, final int k, final Label ifTrue, final Label ifFalse)
    {
        return emit(JMP | op | K, k, ifTrue, ifFalse);
    }

    /**
     * Compares A with X and goes to {@code ifTrue} or {@code ifFalse} (null: the next instruction), both within
     * {@value ClassicBpf#MAX_CONDITIONAL_JUMP} instructions.
     *
     * @param op      {@link ClassicBpf#JEQ}, {@link ClassicBpf#JGT}, {@link ClassicBpf#JGE} or {@link ClassicBpf#JSET}.
     * @param ifTrue  target when the comparison holds, or null.
     * @param ifFalse target otherwise, or null.
     * @return this
     */
    public ClassicAssembler jumpX(final int op, final Label ifTrue, final Label ifFalse)
    {
        return emit(JMP | op | X, 0, ifTrue, ifFalse);
    }

    /**
     * Goes to {@code target}, at any distance, when A OP k; otherwise falls through. Two instructions.
     *
     * @param op     comparison.
     * @param k      constant.
     * @param target where to go.
     * @return this
     */
    public ClassicAssembler jumpIf(final int op, final int k, final Label target)
    {
        final Label over = label();
        jump(op, k, null, over);
        jumpAlways(target);
        return bind(over);
    }

    /**
     * Goes to {@code target}, at any distance, unless A OP k; otherwise falls through. Two instructions.
     *
     * @param op     comparison.
     * @param k      constant.
     * @param target where to go.
     * @return this
     */
    public ClassicAssembler jumpUnless(final int op, final int k, final Label target)
    {
        final Label over = label();
        jump(op, k, over, null);
        jumpAlways(target);
        return bind(over);
    }

    /**
     * Goes to {@code target} unconditionally (32-bit offset).
     *
     * @param target where to go.
     * @return this
     */
    public ClassicAssembler jumpAlways(final Label target)
    {
        return emit(JMP | JA, 0, target, null);
    }

    /**
     * Resolves the labels and encodes {@code struct sock_filter}s in the machine's byte order.
     *
     * @return {@code size() * 8} bytes.
     * @throws IllegalStateException when a label is unbound or behind its jump, a conditional jump is too far, or
     *                               the program is longer than {@value ClassicBpf#MAX_INSNS} instructions.
     */
    public byte[] assemble()
    {
        if (count > ClassicBpf.MAX_INSNS)
        {
            throw new IllegalStateException("classic BPF program of " + count + " instructions is over the kernel's "
                + ClassicBpf.MAX_INSNS);
        }
        final ByteBuffer out = ByteBuffer.allocate(count * ClassicBpf.INSN_SIZE).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++)
        {
            final int opcode = opcodes[i];
            int k = ks[i];
            int jt = 0;
            int jf = 0;
            if ((opcode & 0x07) == JMP)
            {
                if ((opcode & 0xF0) == JA)
                {
                    k = distance(i, taken[i], Integer.MAX_VALUE);
                }
                else
                {
                    jt = distance(i, taken[i], ClassicBpf.MAX_CONDITIONAL_JUMP);
                    jf = distance(i, notTaken[i], ClassicBpf.MAX_CONDITIONAL_JUMP);
                }
            }
            out.putShort((short)opcode);
            out.put((byte)jt);
            out.put((byte)jf);
            out.putInt(k);
        }
        return out.array();
    }

    private int distance(final int at, final Label target, final int limit)
    {
        if (target == null)
        {
            return 0;
        }
        if (target.position < 0)
        {
            throw new IllegalStateException("jump at instruction " + at + " to a label never bound");
        }
        final int d = target.position - (at + 1);
        if (d < 0 || d > limit)
        {
            throw new IllegalStateException("jump at instruction " + at + " cannot reach " + target.position
                + (d < 0 ? " (classic BPF jumps forward only)" : " (farther than " + limit + ")"));
        }
        return d;
    }

    private static int scratch(final int word)
    {
        if (word < 0 || word >= ClassicBpf.MEMWORDS)
        {
            throw new IllegalArgumentException("scratch word must be 0.." + (ClassicBpf.MEMWORDS - 1) + ", got " + word);
        }
        return word;
    }

    private ClassicAssembler emit(final int opcode, final int k, final Label ifTrue, final Label ifFalse)
    {
        if (count == opcodes.length)
        {
            opcodes = Arrays.copyOf(opcodes, count * 2);
            ks = Arrays.copyOf(ks, count * 2);
            taken = Arrays.copyOf(taken, count * 2);
            notTaken = Arrays.copyOf(notTaken, count * 2);
        }
        opcodes[count] = opcode;
        ks[count] = k;
        taken[count] = ifTrue;
        notTaken[count] = ifFalse;
        count++;
        return this;
    }
}
