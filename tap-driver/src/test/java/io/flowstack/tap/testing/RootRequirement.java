package io.flowstack.tap.testing;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.sys.Privileges;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need root (TAP devices, network namespaces): skipped when not root, unless the system
 * property {@code flowstack.requireRoot} is "true" (as in CI), in which case they fail. Namespaces are made with
 * {@code ip}, so it is required too ({@link ToolRequirement}).
 */
public final class RootRequirement
{
    /** System property that turns a skip into a failure. */
    public static final String REQUIRE_ROOT_PROPERTY = ToolRequirement.REQUIRE_PROPERTY;

    private RootRequirement()
    {
    }

    /**
     * Skips or fails the calling test when the process is not root or {@code ip} (iproute2) is missing.
     */
    public static void assumeRoot()
    {
        if (!Privileges.isRoot())
        {
            final String why = "needs root: creates TAP devices and network namespaces";
            if (Boolean.parseBoolean(System.getProperty(REQUIRE_ROOT_PROPERTY, "false")))
            {
                Assertions.fail(why + " (" + REQUIRE_ROOT_PROPERTY + "=true)");
            }
            Assumptions.assumeTrue(false, why);
        }
        ToolRequirement.require("ip");
    }
}
