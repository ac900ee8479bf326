package io.flowstack.tap.steer;

import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.FlowPins;
import io.flowstack.core.wire.AddressBits;
import io.flowstack.tap.bpf.Bpf;
import io.flowstack.tap.bpf.BpfException;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The extended BPF steering program of one device with its two maps, kept equal to an ownership function.
 * <p>
 * <b>Table map</b> (array of u32): entry {@value #ACTIVE_HALF_ENTRY} names the active half (0 or 1); then two
 * halves, each holding the table of every protocol class ({@code FlowOwnership.CLASSES * size} entries, class by
 * class). A new table is written into the inactive half and made active by one 4-byte update, so the program
 * switches every bucket at the same instant; no frame sees half a table.
 * <p>
 * <b>Pin maps</b> (hash; u32 core), one per family: flows kept with their core through a reprogramming. IPv4's
 * 16-byte key: source, destination, source port, destination port in network order, then the protocol and 3 zero
 * bytes; IPv6's 40-byte key: the same with 16-byte addresses.
 * <p>
 * {@link #apply} adds pins, switches the table, then removes stale pins: the order that never moves a flow pinned
 * before and after. Calls are serialized; each makes a few system calls per change (setup and reprogramming only).
 */
public final class EbpfSteering implements OwnerSteering
{
    /** Entry of the table map that names the active half. */
    static final int ACTIVE_HALF_ENTRY = 0;
    /** First entry of the first half. */
    static final int FIRST_TABLE_ENTRY = 1;
    /** Bytes of an IPv4 pin key. */
    static final int PIN_KEY_SIZE = 16;
    /** Bytes of an IPv6 pin key. */
    static final int PIN6_KEY_SIZE = 40;

    private final String what;
    private final int tableSize;
    private final int tableFd;
    private final int pinFd;
    private final int pin6Fd;
    private final int programFd;
    private final int[] installedTables;
    private final FlowPins installedPins = new FlowPins(FlowPins.DEFAULT_CAPACITY);
    private final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private int activeHalf;
    private int refusedUpdates;
    private String lastRefusal = "";
    private Runnable detach = () -> { };
    private boolean closed;

    private EbpfSteering(final String what, final int tableSize, final int tableFd, final int pinFd,
        final int pin6Fd, final int programFd)
    {
        this.what = what;
        this.tableSize = tableSize;
        this.tableFd = tableFd;
        this.pinFd = pinFd;
        this.pin6Fd = pin6Fd;
        this.programFd = programFd;
        this.installedTables = new int[FlowOwnership.CLASSES * tableSize];
    }

    /**
     * Creates the maps, fills them from {@code ownership}, generates and loads the program. Attach it with
     * {@link #programFd()}.
     *
     * @param ownership the ownership function.
     * @param ifIndex   the interface steered.
     * @param what      how it will be attached, for messages.
     * @return the loaded steering.
     * @throws BpfException when the kernel refuses a map or the program (the message carries the verifier's last
     *                      line); nothing is left open.
     */
    public static EbpfSteering load(final FlowOwnership ownership, final int ifIndex, final String what)
        throws BpfException
    {
        final int size = ownership.tableSize();
        int tableFd = -1;
        int pinFd = -1;
        int pin6Fd = -1;
        int programFd = -1;
        try
        {
            tableFd = Bpf.createMap(Bpf.MAP_TYPE_ARRAY, 4, 4, tableEntries(size), 0, "fs_table");
            pinFd = Bpf.createMap(Bpf.MAP_TYPE_HASH, PIN_KEY_SIZE, 4, FlowPins.DEFAULT_CAPACITY,
                Bpf.MAP_F_NO_PREALLOC, "fs_pins");
            pin6Fd = Bpf.createMap(Bpf.MAP_TYPE_HASH, PIN6_KEY_SIZE, 4, FlowPins.DEFAULT_CAPACITY,
                Bpf.MAP_F_NO_PREALLOC, "fs_pins6");
            programFd = Bpf.loadProgram(Bpf.PROG_TYPE_SOCKET_FILTER,
                EbpfSteeringProgram.generate(ownership, ifIndex, tableFd, pinFd, pin6Fd), "fs_steer");
            final EbpfSteering steering = new EbpfSteering(what, size, tableFd, pinFd, pin6Fd, programFd);
            steering.writeHalf(0, ownership);
            steering.putEntry(ACTIVE_HALF_ENTRY, 0);
            // Pins the ownership already has (none when a stack starts); one the map refuses is counted.
            steering.apply(ownership);
            return steering;
        }
        catch (final BpfException | RuntimeException e)
        {
            Native.closeQuietly(programFd);
            Native.closeQuietly(pin6Fd);
            Native.closeQuietly(pinFd);
            Native.closeQuietly(tableFd);
            throw e;
        }
    }

    /**
     * @param tableSize buckets per table.
     * @return entries of the table map: the active-half word and two halves of every class's table.
     */
    static int tableEntries(final int tableSize)
    {
        return FIRST_TABLE_ENTRY + 2 * FlowOwnership.CLASSES * tableSize;
    }

    /**
     * @return the program's descriptor, to attach.
     */
    public int programFd()
    {
        return programFd;
    }

    /**
     * Runs the loaded program once on a frame (BPF_PROG_TEST_RUN), as the kernel would on a device.
     *
     * @param address native address of an Ethernet frame.
     * @param length  its length, at least 14.
     * @param attr    a reusable attribute buffer ({@link Bpf#newAttribute()}).
     * @return the core the program chose.
     * @throws BpfException when the kernel refuses the run.
     */
    int run(final long address, final int length, final UnsafeBuffer attr) throws BpfException
    {
        return Bpf.testRun(programFd, address, length, attr);
    }

    /**
     * @param onClose undoes the attachment (run first by {@link #close()}).
     * @return this
     */
    public EbpfSteering onClose(final Runnable onClose)
    {
        this.detach = onClose;
        return this;
    }

    @Override
    public synchronized int apply(final FlowOwnership ownership)
    {
        if (closed)
        {
            return ownership.pins().size();
        }
        final int[] refused = {0};
        // 1. New and moved pins, while the old table still decides everything else.
        ownership.pins().forEach((protocol, sh, sl, dh, dl, sourcePort, destinationPort, core) ->
        {
            if (installedPins.core(protocol, sh, sl, dh, dl, sourcePort, destinationPort) != core)
            {
                if (putPin(protocol, sh, sl, dh, dl, sourcePort, destinationPort, core))
                {
                    installedPins.pin(protocol, sh, sl, dh, dl, sourcePort, destinationPort, core);
                }
                else
                {
                    refused[0]++;
                }
            }
        });
        // 2. The table, at one instant.
        if (!sameTables(ownership))
        {
            try
            {
                writeHalf(1 - activeHalf, ownership);
                putEntry(ACTIVE_HALF_ENTRY, 1 - activeHalf);
                activeHalf = 1 - activeHalf;
            }
            catch (final BpfException e)
            {
                refusal(e);
                refused[0]++;
            }
        }
        // 3. Pins that are gone.
        final List<long[]> stale = new ArrayList<>();
        installedPins.forEach((protocol, sh, sl, dh, dl, sourcePort, destinationPort, core) ->
        {
            if (ownership.pins().core(protocol, sh, sl, dh, dl, sourcePort, destinationPort) < 0)
            {
                stale.add(new long[]{protocol, sh, sl, dh, dl, sourcePort, destinationPort});
            }
        });
        for (final long[] p : stale)
        {
            deletePin((int)p[0], p[1], p[2], p[3], p[4], (int)p[5], (int)p[6]);
            installedPins.unpin((int)p[0], p[1], p[2], p[3], p[4], (int)p[5], (int)p[6]);
        }
        refusedUpdates += refused[0];
        return refused[0];
    }

    /**
     * @return the last refusal, or "".
     */
    public synchronized String lastRefusal()
    {
        return lastRefusal;
    }

    /**
     * @return updates the kernel refused so far (each left a flow to be forwarded).
     */
    public synchronized int refusedUpdates()
    {
        return refusedUpdates;
    }

    /**
     * @return pins in the kernel's map.
     */
    public synchronized int pinCount()
    {
        return installedPins.size();
    }

    @Override
    public String describe()
    {
        return "eBPF " + what;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            detach.run();
        }
        finally
        {
            Native.closeQuietly(programFd);
            Native.closeQuietly(pin6Fd);
            Native.closeQuietly(pinFd);
            Native.closeQuietly(tableFd);
        }
    }

    private boolean sameTables(final FlowOwnership ownership)
    {
        for (int k = 0; k < FlowOwnership.CLASSES; k++)
        {
            for (int b = 0; b < tableSize; b++)
            {
                if (installedTables[k * tableSize + b] != ownership.coreOfBucket(k, b))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void writeHalf(final int half, final FlowOwnership ownership) throws BpfException
    {
        final int base = FIRST_TABLE_ENTRY + half * FlowOwnership.CLASSES * tableSize;
        for (int k = 0; k < FlowOwnership.CLASSES; k++)
        {
            for (int b = 0; b < tableSize; b++)
            {
                final int core = ownership.coreOfBucket(k, b);
                putEntry(base + k * tableSize + b, core);
                installedTables[k * tableSize + b] = core;
            }
        }
    }

    private void putEntry(final int index, final int entry) throws BpfException
    {
        key.putInt(0, index);
        value.putInt(0, entry);
        Bpf.update(tableFd, key.addressOffset(), value.addressOffset());
    }

    private boolean putPin(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort, final int core)
    {
        final int map = pinKey(protocol, sh, sl, dh, dl, sourcePort, destinationPort);
        value.putInt(0, core);
        try
        {
            Bpf.update(map, key.addressOffset(), value.addressOffset());
            return true;
        }
        catch (final BpfException e)
        {
            refusal(e);
            return false;
        }
    }

    private void deletePin(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort)
    {
        final int map = pinKey(protocol, sh, sl, dh, dl, sourcePort, destinationPort);
        try
        {
            Bpf.delete(map, key.addressOffset());
        }
        catch (final BpfException e)
        {
            refusal(e);
        }
    }

    /**
     * Writes the key as the program builds it (the header's addresses, the 4 port bytes, the protocol, zeros).
     *
     * @return the family's pin map.
     */
    private int pinKey(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort)
    {
        if (AddressBits.isIpv4(sh, sl) && AddressBits.isIpv4(dh, dl))
        {
            key.putInt(0, (int)sl, ByteOrder.BIG_ENDIAN);
            key.putInt(4, (int)dl, ByteOrder.BIG_ENDIAN);
            portsAndProtocol(8, protocol, sourcePort, destinationPort);
            return pinFd;
        }
        key.putLong(0, sh, ByteOrder.BIG_ENDIAN);
        key.putLong(8, sl, ByteOrder.BIG_ENDIAN);
        key.putLong(16, dh, ByteOrder.BIG_ENDIAN);
        key.putLong(24, dl, ByteOrder.BIG_ENDIAN);
        portsAndProtocol(32, protocol, sourcePort, destinationPort);
        return pin6Fd;
    }

    private void portsAndProtocol(final int at, final int protocol, final int sourcePort, final int destinationPort)
    {
        key.putShort(at, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        key.putShort(at + 2, (short)destinationPort, ByteOrder.BIG_ENDIAN);
        key.putInt(at + 4, 0);
        key.putByte(at + 4, (byte)protocol);
    }

    private void refusal(final BpfException e)
    {
        lastRefusal = e.getMessage();
    }
}
