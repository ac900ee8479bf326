package io.flowstack.core.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tool gate: a missing program skips with its name and package, or fails under {@code flowstack.requireRoot}.
 */
class ToolRequirementTest
{
    private static final String MISSING = "fstest-no-such-tool";

    private String saved;

    @BeforeEach
    void save()
    {
        saved = System.getProperty(ToolRequirement.REQUIRE_PROPERTY);
    }

    @AfterEach
    void restore()
    {
        if (saved == null)
        {
            System.clearProperty(ToolRequirement.REQUIRE_PROPERTY);
        }
        else
        {
            System.setProperty(ToolRequirement.REQUIRE_PROPERTY, saved);
        }
    }

    @Test
    void shouldSkipNamingTheMissingToolAndItsPackage()
    {
        System.setProperty(ToolRequirement.REQUIRE_PROPERTY, "false");
        final TestAbortedException e = assertThrows(TestAbortedException.class,
            () -> ToolRequirement.require("sh", "ping", MISSING));
        final String expected = "skipped: needs " + (ToolRequirement.find("ping") == null
            ? "ping (apt-get install iputils-ping), " : "") + MISSING + " (apt-get install " + MISSING + ")";
        assertTrue(e.getMessage().endsWith(expected), e.getMessage());
    }

    @Test
    void shouldFailNamingTheMissingToolWhenLiveTestsAreRequired()
    {
        System.setProperty(ToolRequirement.REQUIRE_PROPERTY, "true");
        final AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ToolRequirement.require(MISSING));
        assertEquals("needs " + MISSING + " (apt-get install " + MISSING + "): not on the PATH, and "
            + ToolRequirement.REQUIRE_PROPERTY + "=true requires every live test", e.getMessage());
    }

    @Test
    void shouldPassWhenEveryToolIsThere()
    {
        System.setProperty(ToolRequirement.REQUIRE_PROPERTY, "true");
        assertDoesNotThrow(() -> ToolRequirement.require("sh"));
        assertTrue(ToolRequirement.find("sh").isAbsolute() || ToolRequirement.find("sh").toString().contains("/"));
    }
}
