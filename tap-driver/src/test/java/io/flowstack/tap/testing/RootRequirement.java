package io.flowstack.tap.testing;

import io.flowstack.tap.sys.Privileges;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need root (TAP devices, network namespaces): skipped when not root, unless the system
 * property {@code flowstack.requireRoot} is "true" (as in CI), in which case they fail.
 */
public final class RootRequirement
{
    /** System property that turns a skip into a failure. */
    public static final String REQUIRE_ROOT_PROPERTY = "flowstack.requireRoot";

    private RootRequirement()
    {
    }

    /**
     * Skips or fails the calling test when the process is not root.
     */
    public static void assumeRoot()
    {
        if (Privileges.isRoot())
        {
            return;
        }
        final String why = "needs root: creates TAP devices and network namespaces";
        if (Boolean.parseBoolean(System.getProperty(REQUIRE_ROOT_PROPERTY, "false")))
        {
            Assertions.fail(why + " (" + REQUIRE_ROOT_PROPERTY + "=true)");
        }
        Assumptions.assumeTrue(false, why);
    }
}
