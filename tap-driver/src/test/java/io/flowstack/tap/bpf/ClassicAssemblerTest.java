package io.flowstack.tap.bpf;

import org.junit.jupiter.api.Test;

import static io.flowstack.tap.bpf.EbpfAssemblerTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classic BPF encodings against what {@code tcpdump -dd} prints for the same instructions; jump offsets and the
 * kernel's limits.
 */
class ClassicAssemblerTest
{
    @Test
    void shouldEncodeAsTcpdumpDoes()
    {
        // tcpdump -dd 'ip': { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000800 }, { 0x6, 0, 0, 0x00040000 },
        // { 0x6, 0, 0, 0x00000000 }
        final ClassicAssembler a = new ClassicAssembler();
        final ClassicAssembler.Label drop = a.label();
        a.loadAbsolute(ClassicBpf.H, 12).jump(ClassicBpf.JEQ, 0x800, null, drop).returnConstant(0x40000);
        a.bind(drop).returnConstant(0);
        assertArrayEquals(bytes(
            "28 00 00 00 0c 00 00 00",
            "15 00 00 01 00 08 00 00",
            "06 00 00 00 00 00 04 00",
            "06 00 00 00 00 00 00 00"), a.assemble());
    }

    @Test
    void shouldEncodeScratchHeaderLengthAndArithmetic()
    {
        final byte[] code = new ClassicAssembler()
            .loadHeaderLengthX(14)          // ldxb 4*([14]&0xf)
            .store(3)                       // st M[3]
            .loadScratch(3)                 // ld M[3]
            .alu(ClassicBpf.AND, 0x1FFF)    // and #0x1fff
            .aluX(ClassicBpf.XOR)           // xor x
            .tax()
            .loadLength()
            .returnA()
            .assemble();
        assertArrayEquals(bytes(
            "b1 00 00 00 0e 00 00 00",
            "02 00 00 00 03 00 00 00",
            "60 00 00 00 03 00 00 00",
            "54 00 00 00 ff 1f 00 00",
            "ac 00 00 00 00 00 00 00",
            "07 00 00 00 00 00 00 00",
            "80 00 00 00 00 00 00 00",
            "16 00 00 00 00 00 00 00"), code);
    }

    @Test
    void shouldReachFarTargetsThroughAnUnconditionalJump()
    {
        final ClassicAssembler a = new ClassicAssembler();
        final ClassicAssembler.Label far = a.label();
        a.loadConstant(1).jumpIf(ClassicBpf.JEQ, 1, far);
        for (int i = 0; i < 300; i++)
        {
            a.returnConstant(i);
        }
        a.bind(far).returnConstant(7);
        final byte[] code = a.assemble();
        // jeq #1, jt 0, jf 1; ja +300
        assertArrayEquals(bytes("15 00 00 01 01 00 00 00", "05 00 00 00 2c 01 00 00"),
            java.util.Arrays.copyOfRange(code, 8, 24));
    }

    @Test
    void shouldRefuseWhatTheKernelWouldRefuse()
    {
        final ClassicAssembler near = new ClassicAssembler();
        final ClassicAssembler.Label far = near.label();
        near.jump(ClassicBpf.JEQ, 1, far, null);
        for (int i = 0; i < 256; i++)
        {
            near.returnConstant(0);
        }
        near.bind(far).returnConstant(1);
        assertTrue(assertThrows(IllegalStateException.class, near::assemble).getMessage().contains("farther"));

        final ClassicAssembler longOne = new ClassicAssembler();
        for (int i = 0; i <= ClassicBpf.MAX_INSNS; i++)
        {
            longOne.returnConstant(0);
        }
        assertTrue(assertThrows(IllegalStateException.class, longOne::assemble).getMessage().contains("4096"));
        assertThrows(IllegalArgumentException.class, () -> new ClassicAssembler().store(16));
    }
}
