package io.flowstack.tap.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Unique names for what tests create, all recognisably ours ("fstest-" namespaces, "fst" devices).
 */
public final class Names
{
    private Names()
    {
    }

    /**
     * @param purpose short tag, e.g. "tap".
     * @return "fstest-PURPOSE-xxxxxxxx".
     */
    public static String namespace(final String purpose)
    {
        return "fstest-" + purpose + "-" + hex();
    }

    /**
     * @return "fstxxxxxxxx": 11 characters, within the 15 an interface name may have.
     */
    public static String device()
    {
        return "fst" + hex();
    }

    private static String hex()
    {
        return String.format("%08x", ThreadLocalRandom.current().nextInt());
    }
}
