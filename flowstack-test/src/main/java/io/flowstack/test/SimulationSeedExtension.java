package io.flowstack.test;

import io.flowstack.core.sim.SimulationSeed;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit 5 extension: gives each test method a {@link SimulationSeed} parameter (from {@code -Dflowstack.sim.seed}
 * or random) and, when the test fails, prints "flowstack simulation seed: N (rerun with -Dflowstack.sim.seed=N)"
 * and attaches that line to the failure.
 * <pre>
 * &#64;ExtendWith(SimulationSeedExtension.class)
 * class MyTest { &#64;Test void shouldX(final SimulationSeed seed) { new Simulator(seed.value()) ... } }
 * </pre>
 */
public final class SimulationSeedExtension implements ParameterResolver, TestExecutionExceptionHandler
{
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SimulationSeedExtension.class);

    private static SimulationSeed seed(final ExtensionContext context)
    {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent("seed", k -> SimulationSeed.pick(), SimulationSeed.class);
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context)
    {
        return parameter.getParameter().getType() == SimulationSeed.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context)
    {
        return seed(context);
    }

    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable throwable) throws Throwable
    {
        throw seed(context).report(throwable);
    }
}
