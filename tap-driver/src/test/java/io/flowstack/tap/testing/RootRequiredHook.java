package io.flowstack.tap.testing;

import io.flowstack.tap.sys.Privileges;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * {@link RootRequirement} for jqwik properties: skips a container or property when not root, unless
 * {@code flowstack.requireRoot} is true, in which case the property runs and its own
 * {@link RootRequirement#assumeRoot()} fails it.
 */
public final class RootRequiredHook implements SkipExecutionHook
{
    @Override
    public SkipResult shouldBeSkipped(final LifecycleContext context)
    {
        if (Privileges.isRoot()
            || Boolean.parseBoolean(System.getProperty(RootRequirement.REQUIRE_ROOT_PROPERTY, "false")))
        {
            return SkipResult.doNotSkip();
        }
        return SkipResult.skip("needs root: loads BPF programs");
    }
}
