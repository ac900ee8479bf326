package io.flowstack.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gate for tests that run an outside program (socat, curl, tshark, ping, ...): a test names every program it runs
 * before it starts; a missing one skips the test with "skipped: needs socat (apt-get install socat)", unless the
 * system property {@value #REQUIRE_PROPERTY} is "true" (as in CI, which installs them all), in which case the test
 * fails naming the program. The same property turns the root gate's skips into failures.
 */
public final class ToolRequirement
{
    /** System property that turns a skip into a failure: "this run must run every live test". */
    public static final String REQUIRE_PROPERTY = "flowstack.requireRoot";

    /** Debian package of each program tests run, where its name differs from the program's. */
    private static final Map<String, String> PACKAGES = Map.of(
        "ping", "iputils-ping",
        "ip", "iproute2",
        "ss", "iproute2",
        "setpriv", "util-linux",
        "getconf", "libc-bin",
        "timeout", "coreutils");

    private ToolRequirement()
    {
    }

    /**
     * Skips or fails the calling test unless every program is on the PATH.
     *
     * @param tools program names, e.g. "socat", "curl".
     */
    public static void require(final String... tools)
    {
        final List<String> missing = new ArrayList<>();
        for (final String tool : tools)
        {
            if (find(tool) == null)
            {
                missing.add(tool + " (apt-get install " + PACKAGES.getOrDefault(tool, tool) + ")");
            }
        }
        if (!missing.isEmpty())
        {
            skipOrFail("needs " + String.join(", ", missing), "not on the PATH");
        }
    }

    /**
     * Skips or fails the calling test unless a Python 3 can import a module: python3 on the PATH, else Debian's
     * /usr/bin/python3 (a PATH may put another Python first, pyenv's say, that lacks Debian's modules).
     *
     * @param module        the module, e.g. "scapy".
     * @param debianPackage the package that installs it for Debian's Python, e.g. "python3-scapy".
     * @return the interpreter that has it.
     */
    public static String requirePythonModule(final String module, final String debianPackage)
    {
        final List<Path> candidates = new ArrayList<>();
        final Path onPath = find("python3");
        if (onPath != null)
        {
            candidates.add(onPath);
        }
        candidates.add(Path.of("/usr/bin/python3"));
        for (final Path python : candidates)
        {
            if (Files.isExecutable(python) && imports(python, module))
            {
                return python.toString();
            }
        }
        skipOrFail("needs python3 with " + module + " (apt-get install " + debianPackage + ")", "not importable");
        return null;
    }

    private static boolean imports(final Path python, final String module)
    {
        try
        {
            final Process p = new ProcessBuilder(python.toString(), "-c", "import " + module)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        }
        catch (final java.io.IOException e)
        {
            return false;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void skipOrFail(final String why, final String state)
    {
        if (Boolean.parseBoolean(System.getProperty(REQUIRE_PROPERTY, "false")))
        {
            Assertions.fail(why + ": " + state + ", and " + REQUIRE_PROPERTY + "=true requires every live test");
        }
        // Surefire counts skips without naming them: say which test and why.
        System.out.println(caller() + " skipped: " + why);
        Assumptions.abort("skipped: " + why);
    }

    /**
     * @param tool program name.
     * @return its executable on the PATH, or null.
     */
    public static Path find(final String tool)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(":"))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The test that asked: the outermost frame of the first class on the stack that is not a gate ("...Requirement"),
     * e.g. "ServeLiveIT.shouldAnswerTwentyPingsOfTwenty".
     */
    private static String caller()
    {
        return StackWalker.getInstance().walk(frames ->
        {
            String testClass = null;
            String found = "a test";
            for (final StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>)frames::iterator)
            {
                final String cls = f.getClassName();
                if (cls.endsWith("Requirement"))
                {
                    continue;
                }
                if (testClass == null)
                {
                    testClass = cls.contains("$") ? cls.substring(0, cls.indexOf('$')) : cls;
                }
                if (!cls.startsWith(testClass))
                {
                    break;
                }
                found = testClass.substring(testClass.lastIndexOf('.') + 1) + "." + f.getMethodName();
            }
            return found;
        });
    }
}
