package io.flowstack.tap.steer;

import java.util.Locale;

/**
 * Which steering program a device may put into the kernel.
 */
public enum KernelSteering
{
    /** Extended BPF, else (fanout only) classic BPF, else the device's own steering. */
    AUTO,
    /** Extended BPF only. */
    EBPF,
    /** Classic BPF only (fanout groups; a TAP has no classic hook). */
    CLASSIC,
    /** None: the device's own steering (TAP: learned; fanout: the configured mode). */
    OFF;

    /**
     * @param text "auto", "ebpf", "classic" or "off", any case.
     * @return the choice.
     * @throws IllegalArgumentException for anything else.
     */
    public static KernelSteering parse(final String text)
    {
        for (final KernelSteering k : values())
        {
            if (k.name().equalsIgnoreCase(text.trim()))
            {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kernel steering '" + text + "' (auto, ebpf, classic or off)");
    }

    /**
     * @return true when extended BPF may be tried.
     */
    public boolean allowsEbpf()
    {
        return this == AUTO || this == EBPF;
    }

    /**
     * @return true when classic BPF may be tried.
     */
    public boolean allowsClassic()
    {
        return this == AUTO || this == CLASSIC;
    }

    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
