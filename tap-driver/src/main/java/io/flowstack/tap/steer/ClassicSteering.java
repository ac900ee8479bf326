package io.flowstack.tap.steer;

import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.flow.FlowOwnership;

import java.io.IOException;

/**
 * The classic BPF steering program of a fanout group: regenerated from the ownership function on every
 * {@link #apply} and swapped in by the kernel at once ({@code PACKET_FANOUT_DATA} replaces the group's program
 * under RCU), so a new table takes effect for all flows at the same instant, like the extended program's.
 */
public final class ClassicSteering implements OwnerSteering
{
    /** Gives a program to the kernel. */
    @FunctionalInterface
    public interface Installer
    {
        /**
         * @param code encoded {@code struct sock_filter}s.
         * @throws IOException when the kernel refuses.
         */
        void install(byte[] code) throws IOException;
    }

    private final String what;
    private final int ifIndex;
    private final Installer installer;
    private int instructions;
    private String lastRefusal = "";
    private boolean closed;

    private ClassicSteering(final String what, final int ifIndex, final Installer installer)
    {
        this.what = what;
        this.ifIndex = ifIndex;
        this.installer = installer;
    }

    /**
     * Generates the program for {@code ownership} and installs it.
     *
     * @param ownership the ownership function.
     * @param ifIndex   the interface steered.
     * @param what      where it is attached, for messages.
     * @param installer gives programs to the kernel.
     * @return the installed steering.
     * @throws IOException           when the kernel refuses the program.
     * @throws IllegalStateException when the table needs more instructions than classic BPF allows.
     */
    public static ClassicSteering install(final FlowOwnership ownership, final int ifIndex, final String what,
        final Installer installer) throws IOException
    {
        final ClassicSteering steering = new ClassicSteering(what, ifIndex, installer);
        final ClassicSteeringProgram.Result program = ClassicSteeringProgram.generate(ownership, ifIndex);
        installer.install(program.code());
        steering.instructions = program.instructions();
        return steering;
    }

    @Override
    public synchronized int apply(final FlowOwnership ownership)
    {
        if (closed)
        {
            return ownership.pins().size();
        }
        try
        {
            final ClassicSteeringProgram.Result program = ClassicSteeringProgram.generate(ownership, ifIndex);
            installer.install(program.code());
            instructions = program.instructions();
            return program.pinsLeftOut();
        }
        catch (final IOException | IllegalStateException e)
        {
            // The previous program stays: frames keep their old owners and are forwarded; every pin is at risk.
            lastRefusal = e.getMessage();
            return ownership.pins().size() + 1;
        }
    }

    /**
     * @return instructions of the installed program.
     */
    public synchronized int instructions()
    {
        return instructions;
    }

    /**
     * @return the last refusal, or "".
     */
    public synchronized String lastRefusal()
    {
        return lastRefusal;
    }

    @Override
    public synchronized String describe()
    {
        return "classic BPF " + what + " (" + instructions + " instructions)";
    }

    /** The group keeps its program until its sockets close; nothing to release here. */
    @Override
    public synchronized void close()
    {
        closed = true;
    }
}
