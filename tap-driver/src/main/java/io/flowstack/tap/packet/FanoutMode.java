package io.flowstack.tap.packet;

import java.util.Locale;

/**
 * How the kernel spreads an interface's frames over the sockets of a {@code PACKET_FANOUT} group (packet(7),
 * Documentation/networking/packet_mmap.rst "AF_PACKET fanout mode").
 * <p>
 * None of these can be predicted by flowstack, so none can replace its own ownership function (Toeplitz with
 * our key and table): a core still forwards every frame it does not own, and outgoing flows still choose their
 * local port by our hash. {@link #HASH} at least keeps each flow on one member, so a flow is forwarded at most
 * once per frame and never reordered; the others are not flow-consistent at all. Exact steering by our own hash
 * comes from a BPF program instead ({@code PACKET_FANOUT_EBPF}/{@code CBPF}, see {@link FanoutGroup}), with HASH
 * as its fallback.
 */
public enum FanoutMode
{
    /**
     * The kernel's symmetric flow hash ({@code __skb_get_hash_symmetric}, seeded at boot with a random key),
     * scaled to the number of members: flow-consistent (both directions too) but not predictable.
     */
    HASH(PacketAbi.PACKET_FANOUT_HASH, true),
    /** Round robin over the members: not flow-consistent, every member sees every flow. */
    LB(PacketAbi.PACKET_FANOUT_LB, false),
    /**
     * The CPU the kernel processed the frame on, modulo the members: follows the NIC's interrupt or RPS
     * placement (on a veth, the sender's CPU), which moves; not predictable and not reliably flow-consistent.
     */
    CPU(PacketAbi.PACKET_FANOUT_CPU, false);

    private final int kernelMode;
    private final boolean flowConsistent;

    FanoutMode(final int kernelMode, final boolean flowConsistent)
    {
        this.kernelMode = kernelMode;
        this.flowConsistent = flowConsistent;
    }

    /**
     * @return the {@code PACKET_FANOUT_*} value.
     */
    public int kernelMode()
    {
        return kernelMode;
    }

    /**
     * @return true when every frame of a flow goes to the same member.
     */
    public boolean isFlowConsistent()
    {
        return flowConsistent;
    }

    /**
     * @param text "hash", "lb" or "cpu", any case.
     * @return the mode.
     * @throws IllegalArgumentException for anything else.
     */
    public static FanoutMode parse(final String text)
    {
        for (final FanoutMode m : values())
        {
            if (m.name().equalsIgnoreCase(text.trim()))
            {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown fanout mode '" + text + "' (hash, lb or cpu)");
    }

    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
