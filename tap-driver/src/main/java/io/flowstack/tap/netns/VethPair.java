package io.flowstack.tap.netns;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * A veth pair between two network namespaces, for raw-socket (AF_PACKET) tests and demos: the kernel's end, with
 * an address, in one namespace; the stack's end, up but with no address, in the other. Both ends have the same
 * name (they live in different namespaces), and the pair is created directly inside the namespaces, so nothing
 * ever appears in the host's namespace.
 * <p>
 * The stack's namespace has no address on its end, so its kernel neither answers ARP for the stack's address nor
 * resets TCP connections to it; the stack's AF_PACKET sockets must be opened there, for example with
 * {@code veth.stackNs().callInside(() -> PacketDevice.open(...))}.
 * <p>
 * {@link #close()} deletes the pair, then the namespaces that were created (not adopted), on every path. Close the
 * packet sockets first: an open socket keeps its namespace, and the stack's end, alive.
 */
public final class VethPair implements AutoCloseable
{
    private static final Pattern IF_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private final NetNs kernelNs;
    private final NetNs stackNs;
    private final String ifName;
    private final String kernelCidr;
    private boolean closed;

    private VethPair(final NetNs kernelNs, final NetNs stackNs, final String ifName, final String kernelCidr)
    {
        this.kernelNs = kernelNs;
        this.stackNs = stackNs;
        this.ifName = ifName;
        this.kernelCidr = kernelCidr;
    }

    /**
     * Creates (or adopts) both namespaces and the pair.
     *
     * @param kernelNsName namespace of the kernel's end, created if missing (e.g. "fstest-raw-k-1234").
     * @param stackNsName  namespace of the stack's end, created if missing (e.g. "fstest-raw-stack-1234").
     * @param ifName       name of both ends, at most 15 characters; must not exist in either namespace.
     * @param kernelCidr   the kernel end's address, e.g. "198.18.0.1/24".
     * @return the pair, both ends up.
     * @throws IOException when a step fails; what was made is removed.
     */
    public static VethPair create(final String kernelNsName, final String stackNsName, final String ifName,
        final String kernelCidr) throws IOException
    {
        if (ifName == null || !IF_NAME.matcher(ifName).matches())
        {
            throw new IllegalArgumentException("bad interface name '" + ifName + "' (1 to 15 of A-Z a-z 0-9 _ . -)");
        }
        if (kernelNsName.equals(stackNsName))
        {
            throw new IllegalArgumentException("the kernel's and the stack's ends need different namespaces");
        }
        NetNs kernel = null;
        NetNs stack = null;
        VethPair pair = null;
        try
        {
            kernel = NetNs.createOrAdopt(kernelNsName);
            stack = NetNs.createOrAdopt(stackNsName);
            for (final NetNs ns : new NetNs[] {kernel, stack})
            {
                if (ns.exec("ip", "link", "show", "dev", ifName).ok())
                {
                    throw new IOException("an interface named " + ifName + " already exists in namespace " + ns.name());
                }
            }
            Command.run("ip", "link", "add", "name", ifName, "netns", stackNsName, "type", "veth",
                "peer", "name", ifName, "netns", kernelNsName).checkOk();
            pair = new VethPair(kernel, stack, ifName, kernelCidr);
            kernel.addAddress(ifName, kernelCidr);
            kernel.linkUp(ifName);
            stack.linkUp(ifName);
            return pair;
        }
        catch (final IOException | RuntimeException e)
        {
            if (pair != null)
            {
                pair.closeQuietly(e);
            }
            else
            {
                closeQuietly(stack, e);
                closeQuietly(kernel, e);
            }
            throw e;
        }
    }

    private static void closeQuietly(final NetNs ns, final Exception e)
    {
        if (ns != null)
        {
            try
            {
                ns.close();
            }
            catch (final RuntimeException suppressed)
            {
                e.addSuppressed(suppressed);
            }
        }
    }

    private void closeQuietly(final Exception e)
    {
        try
        {
            close();
        }
        catch (final RuntimeException suppressed)
        {
            e.addSuppressed(suppressed);
        }
    }

    /**
     * @return the namespace of the kernel's end (with the address).
     */
    public NetNs kernelNs()
    {
        return kernelNs;
    }

    /**
     * @return the namespace of the stack's end (no address).
     */
    public NetNs stackNs()
    {
        return stackNs;
    }

    /**
     * @return the name of both ends.
     */
    public String ifName()
    {
        return ifName;
    }

    /**
     * @return the kernel end's address and prefix.
     */
    public String kernelCidr()
    {
        return kernelCidr;
    }

    /**
     * Sets one end down or up ({@code ip link set dev IF down|up}).
     *
     * @param stackSide true for the stack's end, false for the kernel's.
     * @param up        the new state.
     * @throws IOException when {@code ip} fails.
     */
    public void setLink(final boolean stackSide, final boolean up) throws IOException
    {
        final NetNs ns = stackSide ? stackNs : kernelNs;
        Command.run("ip", "-n", ns.name(), "link", "set", "dev", ifName, up ? "up" : "down").checkOk();
    }

    /**
     * Deletes the pair, then the namespaces that were created here. Idempotent.
     *
     * @throws IllegalStateException when a namespace cannot be deleted.
     */
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
            // Deleting either end deletes both; needed when a namespace is adopted (and so kept).
            if (NetNs.exists(stackNs.name()))
            {
                Command.run("ip", "-n", stackNs.name(), "link", "del", "dev", ifName);
            }
        }
        catch (final IOException ignored)
        {
            // the namespaces' deletion below removes the devices anyway
        }
        try
        {
            stackNs.close();
        }
        finally
        {
            kernelNs.close();
        }
    }

    @Override
    public String toString()
    {
        return "VethPair{" + ifName + ": " + kernelNs.name() + " (" + kernelCidr + ") <-> " + stackNs.name() + "}";
    }
}
