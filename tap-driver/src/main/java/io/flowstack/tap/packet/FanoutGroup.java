package io.flowstack.tap.packet;

import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.SteeringRefusedException;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.tap.bpf.BpfException;
import io.flowstack.tap.steer.ClassicSteering;
import io.flowstack.tap.steer.EbpfSteering;
import io.flowstack.tap.steer.KernelSteering;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.Linux;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fanout group of a {@link PacketDevice}'s sockets, and when it is formed.
 * <p>
 * The kind of group cannot change once a socket has joined, and which kind is wanted is only known when the stack
 * offers its ownership function ({@link #steerByOwner}), after the device is open. So a device that may steer by
 * program keeps its sockets out of any group, behind their drop-all filters, until then: it joins a
 * {@code PACKET_FANOUT_EBPF} group with the generated program, or where extended BPF is refused a
 * {@code PACKET_FANOUT_CBPF} group with the classic program, or the configured mode (HASH) when neither is taken
 * or nothing was offered by the time a queue is opened. Only then are the filters removed, so no frame reaches a
 * member of a half-built group.
 */
final class FanoutGroup
{
    private final PacketSocket[] sockets;
    private final PacketDevice.Config config;
    private int groupId = -1;
    private String mode = "none";
    private boolean open;
    private int discarded;
    private OwnerSteering steering;
    private boolean programRefused;

    FanoutGroup(final PacketSocket[] sockets, final PacketDevice.Config config)
    {
        this.sockets = sockets;
        this.config = config;
    }

    /**
     * @return true when the group's kind should wait for the stack's offer.
     */
    boolean deferred()
    {
        return sockets.length > 1 && config.fanout() == FanoutMode.HASH && config.steering() != KernelSteering.OFF;
    }

    /**
     * Forms the group as configured (if not yet formed) and lets traffic in.
     *
     * @throws ErrnoException when the kernel refuses.
     */
    synchronized void open() throws ErrnoException
    {
        if (open)
        {
            return;
        }
        if (sockets.length > 1 && groupId < 0)
        {
            join(config.fanout().kernelMode(), config.fanout().toString());
        }
        letTrafficIn();
    }

    synchronized OwnerSteering steerByOwner(final FlowOwnership ownership, final int ifIndex)
        throws SteeringRefusedException
    {
        if (open || !deferred() || sockets.length < ownership.cores())
        {
            return null;
        }
        final String where = "PACKET_FANOUT on " + config.ifName();
        String ebpfRefusal = null;
        try
        {
            if (config.steering().allowsEbpf())
            {
                final EbpfSteering ebpf = EbpfSteering.load(ownership, ifIndex, "PACKET_FANOUT_EBPF on " + config.ifName());
                try
                {
                    join(PacketAbi.PACKET_FANOUT_EBPF, "ebpf");
                    sockets[0].setFanoutProgram(ebpf.programFd());
                }
                catch (final ErrnoException e)
                {
                    ebpf.close();
                    throw e;
                }
                return opened(ebpf);
            }
        }
        catch (final BpfException e)
        {
            ebpfRefusal = "the kernel refused the eBPF program (" + e.getMessage() + ")";
        }
        catch (final ErrnoException e)
        {
            return fallBack(where + ": " + e.getMessage(), e);
        }
        if (!config.steering().allowsClassic())
        {
            return fallBack(where + ": " + ebpfRefusal, null);
        }
        final String because = ebpfRefusal == null ? "" : "; " + ebpfRefusal;
        try
        {
            join(PacketAbi.PACKET_FANOUT_CBPF, "cbpf");
        }
        catch (final ErrnoException e)
        {
            return fallBack(where + ": " + e.getMessage() + because, e);
        }
        try
        {
            final ClassicSteering classic = ClassicSteering.install(ownership, ifIndex,
                "PACKET_FANOUT_CBPF on " + config.ifName() + because, sockets[0]::setFanoutProgram);
            return opened(classic);
        }
        catch (final IOException | IllegalStateException e)
        {
            // The group is a CBPF group now and stays one: without a program the kernel gives every frame to
            // member 0, whose core dispatches them in software.
            programRefused = true;
            letTrafficInQuietly();
            throw new SteeringRefusedException("raw " + config.ifName() + ": the classic steering program was "
                + "refused (" + e.getMessage() + ")" + because + "; every frame goes to core 0, which dispatches", e);
        }
    }

    private OwnerSteering opened(final OwnerSteering chosen) throws SteeringRefusedException
    {
        steering = chosen;
        try
        {
            letTrafficIn();
        }
        catch (final ErrnoException e)
        {
            throw new SteeringRefusedException("raw " + config.ifName() + ": " + e.getMessage(), e);
        }
        return chosen;
    }

    /** Joins the configured mode instead and reports why, in one line. */
    private OwnerSteering fallBack(final String why, final Exception cause) throws SteeringRefusedException
    {
        try
        {
            if (groupId < 0)
            {
                join(config.fanout().kernelMode(), config.fanout().toString());
            }
            letTrafficIn();
        }
        catch (final ErrnoException e)
        {
            throw new SteeringRefusedException(why + "; joining " + config.fanout() + " failed too: " + e.getMessage(), e);
        }
        throw new SteeringRefusedException(why + "; steering stays " + config.fanout(), cause);
    }

    /**
     * @return how the group steers.
     */
    synchronized Steering steering()
    {
        if (sockets.length == 1 || programRefused)
        {
            return Steering.NONE;
        }
        if (steering != null)
        {
            return Steering.EXACT;
        }
        return config.fanout().isFlowConsistent() ? Steering.HASHED : Steering.NONE;
    }

    synchronized int groupId()
    {
        return groupId;
    }

    synchronized String mode()
    {
        return steering != null ? steering.describe() : mode;
    }

    synchronized int discarded()
    {
        return discarded;
    }

    synchronized void close()
    {
        if (steering != null)
        {
            steering.close();
        }
    }

    private void join(final int kernelMode, final String label) throws ErrnoException
    {
        int id;
        try
        {
            id = sockets[0].joinFanout(0, kernelMode, label, true);
        }
        catch (final ErrnoException e)
        {
            if (e.errno() != Linux.EINVAL)
            {
                throw e;
            }
            // Kernels before 4.5 lack PACKET_FANOUT_FLAG_UNIQUEID: pick an id; a clash is refused, so retry.
            id = -1;
            for (int attempt = 0; attempt < 16 && id < 0; attempt++)
            {
                try
                {
                    id = sockets[0].joinFanout(1 + ThreadLocalRandom.current().nextInt(0xFFFE), kernelMode, label, false);
                }
                catch (final ErrnoException retry)
                {
                    if (attempt == 15)
                    {
                        throw retry;
                    }
                }
            }
        }
        // Members join in order: the kernel's member index (what a program returns) is the queue index.
        for (int i = 1; i < sockets.length; i++)
        {
            sockets[i].joinFanout(id, kernelMode, label, false);
        }
        groupId = id;
        mode = label;
    }

    private void letTrafficIn() throws ErrnoException
    {
        if (open)
        {
            return;
        }
        for (final PacketSocket s : sockets)
        {
            discarded += s.drain();
        }
        for (final PacketSocket s : sockets)
        {
            s.detachFilter();
        }
        open = true;
    }

    private void letTrafficInQuietly()
    {
        try
        {
            letTrafficIn();
        }
        catch (final ErrnoException ignored)
        {
            // reported by the caller's exception
        }
    }
}
