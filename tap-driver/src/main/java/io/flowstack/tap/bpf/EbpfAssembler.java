package io.flowstack.tap.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.flowstack.tap.bpf.Ebpf.ALU;
import static io.flowstack.tap.bpf.Ebpf.ALU64;
import static io.flowstack.tap.bpf.Ebpf.CALL;
import static io.flowstack.tap.bpf.Ebpf.DW;
import static io.flowstack.tap.bpf.Ebpf.END;
import static io.flowstack.tap.bpf.Ebpf.EXIT;
import static io.flowstack.tap.bpf.Ebpf.IMM;
import static io.flowstack.tap.bpf.Ebpf.JA;
import static io.flowstack.tap.bpf.Ebpf.JMP;
import static io.flowstack.tap.bpf.Ebpf.K;
import static io.flowstack.tap.bpf.Ebpf.LD;
import static io.flowstack.tap.bpf.Ebpf.LDX;
import static io.flowstack.tap.bpf.Ebpf.MEM;
import static io.flowstack.tap.bpf.Ebpf.MOV;
import static io.flowstack.tap.bpf.Ebpf.PSEUDO_MAP_FD;
import static io.flowstack.tap.bpf.Ebpf.ST;
import static io.flowstack.tap.bpf.Ebpf.STX;
import static io.flowstack.tap.bpf.Ebpf.TO_BE;
import static io.flowstack.tap.bpf.Ebpf.X;

/**
 * Emits an extended BPF program instruction by instruction, with forward and backward labels resolved by
 * {@link #assemble()}. The methods are named after the operation and the width ({@code alu64}, {@code alu32}); the
 * kernel's verifier checks the result, so this class only checks what it can encode (registers, jump distances).
 * Register nibbles are packed as on little-endian machines (x86_64, aarch64), the only ones flowstack runs on.
 * <p>
 * Not thread-safe; one program per instance.
 */
public final class EbpfAssembler
{
    /** A jump target; bind it once with {@link #bind(Label)}. */
    public static final class Label
    {
        private int position = -1;
    }

    private long[] code = new long[64];
    private int count;
    private final List<Integer> fixupAt = new ArrayList<>();
    private final List<Label> fixupLabels = new ArrayList<>();

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
    public EbpfAssembler bind(final Label label)
    {
        if (label.position >= 0)
        {
            throw new IllegalStateException("label bound twice");
        }
        label.position = count;
        return this;
    }

    /**
     * @return instructions emitted so far (a 64-bit immediate load counts two).
     */
    public int size()
    {
        return count;
    }

    /**
     * 64-bit {@code dst = dst OP imm}.
     *
     * @param op  an ALU operation ({@link Ebpf#ADD}, {@link Ebpf#AND}, ...).
     * @param dst destination register.
     * @param imm immediate (sign-extended to 64 bits by the CPU).
     * @return this
     */
    public EbpfAssembler alu64(final int op, final int dst, final int imm)
    {
        return emit(ALU64 | op | K, dst, 0, 0, imm);
    }

    /**
     * 64-bit {@code dst = dst OP src}.
     *
     * @param op  an ALU operation.
     * @param dst destination register.
     * @param src source register.
     * @return this
     */
    public EbpfAssembler alu64Reg(final int op, final int dst, final int src)
    {
        return emit(ALU64 | op | X, dst, src, 0, 0);
    }

    /**
     * 32-bit {@code dst = dst OP imm}; the result is zero-extended to 64 bits.
     *
     * @param op  an ALU operation.
     * @param dst destination register.
     * @param imm immediate.
     * @return this
     */
    public EbpfAssembler alu32(final int op, final int dst, final int imm)
    {
        return emit(ALU | op | K, dst, 0, 0, imm);
    }

    /**
     * 32-bit {@code dst = dst OP src}; the result is zero-extended to 64 bits.
     *
     * @param op  an ALU operation.
     * @param dst destination register.
     * @param src source register.
     * @return this
     */
    public EbpfAssembler alu32Reg(final int op, final int dst, final int src)
    {
        return emit(ALU | op | X, dst, src, 0, 0);
    }

    /**
     * {@code dst = imm} (64-bit register, sign-extended immediate).
     *
     * @param dst destination register.
     * @param imm value.
     * @return this
     */
    public EbpfAssembler mov64(final int dst, final int imm)
    {
        return alu64(MOV, dst, imm);
    }

    /**
     * {@code dst = src} (64 bits).
     *
     * @param dst destination register.
     * @param src source register.
     * @return this
     */
    public EbpfAssembler mov64Reg(final int dst, final int src)
    {
        return alu64Reg(MOV, dst, src);
    }

    /**
     * Converts the low {@code bits} of a register from the machine's byte order to network order (a no-op on
     * big-endian machines), zeroing the bits above.
     *
     * @param dst  register.
     * @param bits 16, 32 or 64.
     * @return this
     */
    public EbpfAssembler toBigEndian(final int dst, final int bits)
    {
        if (bits != 16 && bits != 32 && bits != 64)
        {
            throw new IllegalArgumentException("byte swap width must be 16, 32 or 64, got " + bits);
        }
        return emit(ALU | END | TO_BE, dst, 0, 0, bits);
    }

    /**
     * {@code dst = *(size *)(src + offset)}.
     *
     * @param size   {@link Ebpf#B}, {@link Ebpf#H}, {@link Ebpf#W} or {@link Ebpf#DW}.
     * @param dst    destination register.
     * @param src    address register.
     * @param offset signed 16-bit offset.
     * @return this
     */
    public EbpfAssembler load(final int size, final int dst, final int src, final int offset)
    {
        return emit(LDX | MEM | size, dst, src, offset, 0);
    }

    /**
     * {@code *(size *)(dst + offset) = src}.
     *
     * @param size   access width.
     * @param dst    address register.
     * @param offset signed 16-bit offset.
     * @param src    source register.
     * @return this
     */
    public EbpfAssembler store(final int size, final int dst, final int offset, final int src)
    {
        return emit(STX | MEM | size, dst, src, offset, 0);
    }

    /**
     * {@code *(size *)(dst + offset) = imm}.
     *
     * @param size   access width.
     * @param dst    address register.
     * @param offset signed 16-bit offset.
     * @param imm    value.
     * @return this
     */
    public EbpfAssembler storeImm(final int size, final int dst, final int offset, final int imm)
    {
        return emit(ST | MEM | size, dst, 0, offset, imm);
    }

    /**
     * Loads a map's address into a register: a two-slot 64-bit immediate load naming the map by descriptor, which
     * the kernel replaces while loading the program.
     *
     * @param dst   destination register.
     * @param mapFd the map's descriptor.
     * @return this
     */
    public EbpfAssembler loadMap(final int dst, final int mapFd)
    {
        emit(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, mapFd);
        return emit(0, 0, 0, 0, 0);
    }

    /**
     * Jumps to {@code target} when {@code dst OP imm} (64-bit comparison).
     *
     * @param op     {@link Ebpf#JEQ}, {@link Ebpf#JNE}, {@link Ebpf#JSET}, ...
     * @param dst    register compared.
     * @param imm    immediate compared with.
     * @param target where to go.
     * @return this
     */
    public EbpfAssembler jump(final int op, final int dst, final int imm, final Label target)
    {
        return emitJump(JMP | op | K, dst, 0, imm, target);
    }

    /**
     * Jumps to {@code target} when {@code dst OP imm}, comparing the low 32 bits (the immediate is not
     * sign-extended, so addresses above 2^31 compare as written).
     *
     * @param op     comparison.
     * @param dst    register compared.
     * @param imm    immediate compared with.
     * @param target where to go.
     * @return this
     */
    public EbpfAssembler jump32(final int op, final int dst, final int imm, final Label target)
    {
        return emitJump(Ebpf.JMP32 | op | K, dst, 0, imm, target);
    }

    /**
     * Jumps to {@code target} when {@code dst OP src} (64-bit comparison).
     *
     * @param op     comparison.
     * @param dst    first register.
     * @param src    second register.
     * @param target where to go.
     * @return this
     */
    public EbpfAssembler jumpReg(final int op, final int dst, final int src, final Label target)
    {
        return emitJump(JMP | op | X, dst, src, 0, target);
    }

    /**
     * Jumps to {@code target} unconditionally.
     *
     * @param target where to go.
     * @return this
     */
    public EbpfAssembler jumpAlways(final Label target)
    {
        return emitJump(JMP | JA, 0, 0, 0, target);
    }

    /**
     * Calls a helper; arguments in r1..r5, result in r0, r1..r5 clobbered.
     *
     * @param helper the helper's number.
     * @return this
     */
    public EbpfAssembler call(final int helper)
    {
        return emit(JMP | CALL, 0, 0, 0, helper);
    }

    /**
     * Returns r0.
     *
     * @return this
     */
    public EbpfAssembler exit()
    {
        return emit(JMP | EXIT, 0, 0, 0, 0);
    }

    /**
     * {@code r0 = value; exit}.
     *
     * @param value the program's result.
     * @return this
     */
    public EbpfAssembler returnValue(final int value)
    {
        mov64(Ebpf.R0, value);
        return exit();
    }

    /**
     * Resolves the labels and encodes the program in the machine's byte order.
     *
     * @return {@code size() * 8} bytes, ready for {@code BPF_PROG_LOAD}.
     * @throws IllegalStateException when a label was never bound or a jump does not fit 16 bits.
     */
    public byte[] assemble()
    {
        final long[] resolved = Arrays.copyOf(code, count);
        for (int i = 0; i < fixupAt.size(); i++)
        {
            final int at = fixupAt.get(i);
            final Label target = fixupLabels.get(i);
            if (target.position < 0)
            {
                throw new IllegalStateException("jump at instruction " + at + " to a label never bound");
            }
            final int offset = target.position - (at + 1);
            if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE)
            {
                throw new IllegalStateException("jump at instruction " + at + " is too far: " + offset);
            }
            resolved[at] = (resolved[at] & ~(0xFFFFL << 16)) | ((offset & 0xFFFFL) << 16);
        }
        final ByteBuffer out = ByteBuffer.allocate(count * Ebpf.INSN_SIZE).order(ByteOrder.nativeOrder());
        for (final long insn : resolved)
        {
            out.put((byte)insn);
            out.put((byte)(insn >>> 8));
            out.putShort((short)(insn >>> 16));
            out.putInt((int)(insn >>> 32));
        }
        return out.array();
    }

    private EbpfAssembler emitJump(final int opcode, final int dst, final int src, final int imm, final Label target)
    {
        fixupAt.add(count);
        fixupLabels.add(target);
        return emit(opcode, dst, src, 0, imm);
    }

    /** Packs one instruction: bits 0-7 opcode, 8-11 dst, 12-15 src, 16-31 offset, 32-63 immediate. */
    private EbpfAssembler emit(final int opcode, final int dst, final int src, final int offset, final int imm)
    {
        if (dst < 0 || dst > Ebpf.R10 || src < 0 || src > Ebpf.R10)
        {
            throw new IllegalArgumentException("no register r" + (dst < 0 || dst > Ebpf.R10 ? dst : src));
        }
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("offset " + offset + " does not fit 16 bits");
        }
        if (count == code.length)
        {
            code = Arrays.copyOf(code, count * 2);
        }
        code[count++] = (opcode & 0xFFL) | ((long)dst << 8) | ((long)src << 12) | ((offset & 0xFFFFL) << 16)
            | ((imm & 0xFFFF_FFFFL) << 32);
        return this;
    }
}
