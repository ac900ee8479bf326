package io.flowstack.tap.netns;

import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * A named network namespace managed through the {@code ip} command, for tests and demos: everything a test
 * creates (TAP devices, addresses, peer processes) lives in one of these, so the host's own interfaces are
 * never touched.
 * <p>
 * A namespace made by {@link #create(String)} gets its loopback up and IPv6 disabled (so the kernel sends no
 * IPv6 chatter to our devices), and is deleted by {@link #close()}, which destroys the virtual devices inside.
 * An adopted namespace ({@link #createOrAdopt(String)}) is left in place. Processes started through
 * {@link #startProcess(String...)} are killed on close either way; no other process is touched.
 */
public final class NetNs implements AutoCloseable
{
    /** Where {@code ip netns} keeps its namespace files. */
    public static final String NETNS_DIR = "/var/run/netns/";
    private static final String IPV6_SYSCTLS = "/proc/sys/net/ipv6/conf";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern IF_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    private final String name;
    private final boolean owned;
    private final List<Process> processes = new ArrayList<>();
    private boolean closed;

    private NetNs(final String name, final boolean owned)
    {
        this.name = name;
        this.owned = owned;
    }

    /**
     * Creates a namespace, brings its loopback up and disables IPv6 in it.
     *
     * @param name namespace name (letters, digits, '_', '.', '-'); tests use the prefix "fstest-".
     * @return the namespace, deleted on {@link #close()}.
     * @throws IOException when it exists already or cannot be created.
     */
    public static NetNs create(final String name) throws IOException
    {
        checkName(name);
        if (exists(name))
        {
            throw new IOException("network namespace '" + name + "' already exists (createOrAdopt reuses one)");
        }
        Command.run("ip", "netns", "add", name).checkOk();
        final NetNs ns = new NetNs(name, true);
        try
        {
            ns.configure();
            return ns;
        }
        catch (final IOException | RuntimeException e)
        {
            try
            {
                ns.close();
            }
            catch (final RuntimeException suppressed)
            {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Uses the namespace if it exists (and then never deletes it; loopback is brought up, nothing else changed),
     * else creates it as {@link #create(String)} does (loopback up, IPv6 off until a device's address asks for it).
     *
     * @param name namespace name.
     * @return the namespace.
     * @throws IOException when it cannot be created or configured.
     */
    public static NetNs createOrAdopt(final String name) throws IOException
    {
        checkName(name);
        if (!exists(name))
        {
            return create(name);
        }
        // Used as it is: its IPv6 settings stay (turning IPv6 off here would take the addresses a server that made
        // the namespace gave the kernel's side).
        final NetNs ns = new NetNs(name, false);
        Command.run("ip", "-n", name, "link", "set", "dev", "lo", "up").checkOk();
        return ns;
    }

    /**
     * @return names of the namespaces {@code ip netns} knows.
     * @throws IOException when {@code ip} fails.
     */
    public static List<String> list() throws IOException
    {
        final ExecResult r = Command.run("ip", "netns", "list").checkOk();
        final List<String> names = new ArrayList<>();
        for (final String line : r.stdout().split("\n"))
        {
            final String trimmed = line.strip();
            if (!trimmed.isEmpty())
            {
                // "name (id: 3)" or just "name"
                final int space = trimmed.indexOf(' ');
                names.add(space < 0 ? trimmed : trimmed.substring(0, space));
            }
        }
        return names;
    }

    /**
     * @param name namespace name.
     * @return true when a namespace of that name exists.
     * @throws IOException when {@code ip} fails.
     */
    public static boolean exists(final String name) throws IOException
    {
        return list().contains(name);
    }

    /**
     * Deletes a namespace if it exists, as a test's or a tool's last cleanup does after a process that should have
     * deleted it was killed. Processes still running inside keep it alive until they exit; they are not killed.
     *
     * @param name namespace name, or null (nothing to delete).
     * @return true when a namespace was deleted.
     * @throws IOException when listing or deleting fails.
     */
    public static boolean deleteIfExists(final String name) throws IOException
    {
        if (name == null || !exists(name))
        {
            return false;
        }
        Command.run("ip", "netns", "delete", name).checkOk();
        return true;
    }

    /**
     * Deletes every namespace whose name starts with {@code prefix}, such as leftovers of a killed test run.
     * Processes still running inside keep such a namespace alive until they exit; they are not killed.
     *
     * @param prefix name prefix, at least 3 characters (e.g. "fstest-").
     * @return number of namespaces deleted.
     * @throws IOException when listing or deleting fails.
     */
    public static int cleanStale(final String prefix) throws IOException
    {
        if (prefix == null || prefix.length() < 3 || !NAME.matcher(prefix).matches())
        {
            throw new IllegalArgumentException("refusing to clean namespaces with prefix '" + prefix + "'");
        }
        int deleted = 0;
        for (final String ns : list())
        {
            if (ns.startsWith(prefix))
            {
                Command.run("ip", "netns", "delete", ns).checkOk();
                deleted++;
            }
        }
        return deleted;
    }

    private static void checkName(final String name)
    {
        if (name == null || !NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("bad namespace name '" + name + "'");
        }
    }

    private static void checkIfName(final String ifName)
    {
        if (ifName == null || !IF_NAME.matcher(ifName).matches())
        {
            throw new IllegalArgumentException("bad interface name '" + ifName + "'");
        }
    }

    private void configure() throws IOException
    {
        Command.run("ip", "-n", name, "link", "set", "dev", "lo", "up").checkOk();
        if (!Files.exists(Path.of(IPV6_SYSCTLS)))
        {
            return; // IPv6 is off in this kernel
        }
        // /proc/sys/net shows the namespace of the thread that opens it, so a thread inside writes the
        // namespace's own settings (no sysctl program needed). 'default' also covers devices moved in later.
        callInside(() ->
        {
            Files.writeString(Path.of(IPV6_SYSCTLS, "all", "disable_ipv6"), "1");
            Files.writeString(Path.of(IPV6_SYSCTLS, "default", "disable_ipv6"), "1");
            return null;
        });
    }

    /**
     * @return the namespace name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return true when {@link #close()} deletes the namespace (it was created, not adopted).
     */
    public boolean isOwned()
    {
        return owned;
    }

    /**
     * Moves a device from the calling process's namespace into this one. Only TAP/TUN and veth devices are
     * accepted, so that a typo cannot move a host interface away.
     *
     * @param ifName device name.
     * @throws IOException when the device is missing, of another kind, or cannot be moved.
     */
    public void moveLink(final String ifName) throws IOException
    {
        checkIfName(ifName);
        final ExecResult show = Command.run("ip", "-d", "-o", "link", "show", "dev", ifName).checkOk();
        final String details = show.stdout();
        if (!details.contains(" tun ") && !details.contains(" veth "))
        {
            throw new IOException("refusing to move '" + ifName + "' into " + name + ": not a tun/tap or veth device");
        }
        Command.run("ip", "link", "set", "dev", ifName, "netns", name).checkOk();
    }

    /**
     * @param ifName device in this namespace.
     * @param cidr   address and prefix length, e.g. "198.18.0.1/24".
     * @throws IOException when {@code ip} fails.
     */
    public void addAddress(final String ifName, final String cidr) throws IOException
    {
        checkIfName(ifName);
        if (cidr.indexOf(':') >= 0)
        {
            // A new namespace may come with IPv6 off (net.ipv6.conf.default.disable_ipv6): on for this device only.
            Command.run("ip", "netns", "exec", name, "sh", "-c",
                "echo 0 > /proc/sys/net/ipv6/conf/" + ifName + "/disable_ipv6").checkOk();
            // No duplicate address detection on the kernel's side: the address is usable at once, not tentative.
            Command.run("ip", "-n", name, "-6", "addr", "add", cidr, "dev", ifName, "nodad").checkOk();
            return;
        }
        Command.run("ip", "-n", name, "addr", "add", cidr, "dev", ifName).checkOk();
    }

    /**
     * @param ifName device in this namespace.
     * @throws IOException when {@code ip} fails.
     */
    public void linkUp(final String ifName) throws IOException
    {
        checkIfName(ifName);
        Command.run("ip", "-n", name, "link", "set", "dev", ifName, "up").checkOk();
    }

    /**
     * Runs a command inside the namespace to completion, with {@link Command#DEFAULT_TIMEOUT}.
     *
     * @param command program and arguments.
     * @return exit status and output.
     * @throws IOException when it cannot be started or times out.
     */
    public ExecResult exec(final String... command) throws IOException
    {
        return exec(Command.DEFAULT_TIMEOUT, command);
    }

    /**
     * Runs a command inside the namespace to completion.
     *
     * @param timeout how long to wait before killing it.
     * @param command program and arguments.
     * @return exit status and output.
     * @throws IOException when it cannot be started or times out.
     */
    public ExecResult exec(final Duration timeout, final String... command) throws IOException
    {
        return Command.run(timeout, inside(command));
    }

    /**
     * Starts a background process inside the namespace, its stderr merged into its stdout pipe (read it, or
     * use {@link #startProcess(ProcessBuilder.Redirect, String...)}). The process is killed on {@link #close()}.
     *
     * @param command program and arguments.
     * @return the process.
     * @throws IOException when it cannot be started.
     */
    public Process startProcess(final String... command) throws IOException
    {
        return startProcess(ProcessBuilder.Redirect.PIPE, command);
    }

    /**
     * Starts a background process inside the namespace with its stdout and stderr sent to {@code output}. The
     * process is killed on {@link #close()}.
     *
     * @param output where stdout and stderr go, e.g. {@link ProcessBuilder.Redirect#DISCARD} or a log file.
     * @param command program and arguments.
     * @return the process.
     * @throws IOException when it cannot be started.
     */
    public synchronized Process startProcess(final ProcessBuilder.Redirect output, final String... command)
        throws IOException
    {
        if (closed)
        {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        final Process process = new ProcessBuilder(inside(command))
            .redirectErrorStream(true)
            .redirectOutput(output)
            .start();
        processes.add(process);
        return process;
    }

    /**
     * Runs Java code with this namespace as the network namespace: on a fresh thread that joins the namespace
     * ({@code setns}) and ends afterwards, so no other thread changes namespace. Sockets and TAP devices the
     * task opens belong to the namespace, e.g. {@code ns.callInside(() -> TapDevice.open("fst0"))} creates the
     * TAP directly inside it. Caveat: /proc/self/net and /proc/net describe the namespace of the process's main
     * thread, not the joined thread, so code that reads them (such as {@code java.net.NetworkInterface}) sees the
     * host.
     *
     * @param task code to run.
     * @param <T>  result type.
     * @return the task's result.
     * @throws IOException when the namespace cannot be joined, or the task's own IOException.
     */
    public <T> T callInside(final Callable<T> task) throws IOException
    {
        final Object[] result = new Object[1];
        final Throwable[] failure = new Throwable[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                final LibC libc = Native.LIBC;
                final int nsFd = Native.check(libc.open(NETNS_DIR + name, Linux.O_RDONLY | Linux.O_CLOEXEC),
                    "open " + NETNS_DIR + name);
                try
                {
                    Native.check(libc.setns(nsFd, Linux.CLONE_NEWNET), "setns " + name);
                }
                finally
                {
                    libc.close(nsFd);
                }
                result[0] = task.call();
            }
            catch (final Throwable t)
            {
                failure[0] = t;
            }
        }, "netns-" + name);
        thread.setDaemon(true);
        thread.start();
        try
        {
            thread.join();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running inside " + name, e);
        }
        final Throwable t = failure[0];
        if (t instanceof IOException)
        {
            throw (IOException)t;
        }
        if (t instanceof RuntimeException)
        {
            throw (RuntimeException)t;
        }
        if (t instanceof Error)
        {
            throw (Error)t;
        }
        if (t != null)
        {
            throw new IOException("task inside " + name + " failed: " + t, t);
        }
        @SuppressWarnings("unchecked")
        final T value = (T)result[0];
        return value;
    }

    private String[] inside(final String... command)
    {
        if (command.length == 0)
        {
            throw new IllegalArgumentException("empty command");
        }
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    /**
     * Kills the processes started through this object, then deletes the namespace if it was created here
     * (which destroys the TAP and veth devices inside). Idempotent.
     *
     * @throws IllegalStateException when the namespace cannot be deleted.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Process p : processes)
        {
            Command.destroy(p);
        }
        processes.clear();
        if (owned)
        {
            try
            {
                deleteIfExists(name);
            }
            catch (final IOException e)
            {
                throw new IllegalStateException(
                    "could not delete network namespace " + name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString()
    {
        return "NetNs{" + name + (owned ? "" : ", adopted") + "}";
    }
}
