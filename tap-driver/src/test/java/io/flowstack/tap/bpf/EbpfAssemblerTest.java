package io.flowstack.tap.bpf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encodings against the bytes the kernel documents (Documentation/bpf/standardization/instruction-set.rst) and
 * that llvm-objdump prints for the same instructions; labels and their limits.
 */
class EbpfAssemblerTest
{
    @Test
    void shouldEncodeImmediateMovesAndExit()
    {
        final byte[] code = new EbpfAssembler().mov64(Ebpf.R0, 1).exit().assemble();
        assertArrayEquals(bytes("b7 00 00 00 01 00 00 00", "95 00 00 00 00 00 00 00"), code);
    }

    @Test
    void shouldPackRegistersOffsetsAndImmediates()
    {
        final byte[] code = new EbpfAssembler()
            .load(Ebpf.H, Ebpf.R0, Ebpf.R10, -8)            // r0 = *(u16 *)(r10 - 8)
            .store(Ebpf.W, Ebpf.R10, -12, Ebpf.R8)          // *(u32 *)(r10 - 12) = r8
            .storeImm(Ebpf.W, Ebpf.R10, -12, 0)             // *(u32 *)(r10 - 12) = 0
            .alu32Reg(Ebpf.XOR, Ebpf.R5, Ebpf.R0)           // w5 ^= w0
            .toBigEndian(Ebpf.R1, 32)                       // r1 = be32 r1
            .call(Ebpf.FUNC_SKB_LOAD_BYTES_RELATIVE)
            .assemble();
        assertArrayEquals(bytes(
            "69 a0 f8 ff 00 00 00 00",
            "63 8a f4 ff 00 00 00 00",
            "62 0a f4 ff 00 00 00 00",
            "ac 05 00 00 00 00 00 00",
            "dc 01 00 00 20 00 00 00",
            "85 00 00 00 44 00 00 00"), code);
    }

    @Test
    void shouldLoadAMapInTwoSlots()
    {
        final byte[] code = new EbpfAssembler().loadMap(Ebpf.R1, 7).assemble();
        assertArrayEquals(bytes("18 11 00 00 07 00 00 00", "00 00 00 00 00 00 00 00"), code);
    }

    @Test
    void shouldResolveForwardAndBackwardLabels()
    {
        final EbpfAssembler a = new EbpfAssembler();
        final EbpfAssembler.Label top = a.label();
        final EbpfAssembler.Label end = a.label();
        a.bind(top);
        a.jump(Ebpf.JEQ, Ebpf.R1, 5, end);          // +2
        a.jump32(Ebpf.JNE, Ebpf.R2, 0xC6120002, end); // +1, 32-bit compare
        a.jumpAlways(top);                           // -3
        a.bind(end).exit();
        assertArrayEquals(bytes(
            "15 01 02 00 05 00 00 00",
            "56 02 01 00 02 00 12 c6",
            "05 00 fd ff 00 00 00 00",
            "95 00 00 00 00 00 00 00"), a.assemble());
        assertEquals(4, a.size());
    }

    @Test
    void shouldRefuseUnboundLabelsAndBadRegisters()
    {
        final EbpfAssembler a = new EbpfAssembler();
        a.jumpAlways(a.label());
        assertTrue(assertThrows(IllegalStateException.class, a::assemble).getMessage().contains("never bound"));
        assertThrows(IllegalArgumentException.class, () -> new EbpfAssembler().mov64(11, 0));
        assertThrows(IllegalArgumentException.class, () -> new EbpfAssembler().toBigEndian(Ebpf.R1, 8));
    }

    static byte[] bytes(final String... lines)
    {
        final String hex = String.join(" ", lines).replace(" ", "");
        final byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
