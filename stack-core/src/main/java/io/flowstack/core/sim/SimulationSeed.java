package io.flowstack.core.sim;

import java.security.SecureRandom;

/**
 * The seed of a simulation run: from the system property {@value #PROPERTY} when set (to replay a failure),
 * otherwise random. A failing run must print it; {@link #run} does that around a test body, and the JUnit
 * extension {@code SimulationSeedExtension} (artifact flowstack-test) does it for a whole test method.
 */
public final class SimulationSeed
{
    /** System property that fixes the seed. */
    public static final String PROPERTY = "flowstack.sim.seed";

    private final long value;

    private SimulationSeed(final long value)
    {
        this.value = value;
    }

    /**
     * @return the seed from {@value #PROPERTY}, or a random one.
     * @throws IllegalArgumentException if the property is not a number.
     */
    public static SimulationSeed pick()
    {
        final String fixed = System.getProperty(PROPERTY);
        if (fixed != null && !fixed.isBlank())
        {
            try
            {
                return new SimulationSeed(Long.parseLong(fixed.strip()));
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("-D" + PROPERTY + " must be a number, got '" + fixed + "'");
            }
        }
        return new SimulationSeed(new SecureRandom().nextLong());
    }

    /**
     * @param value a seed.
     * @return it.
     */
    public static SimulationSeed of(final long value)
    {
        return new SimulationSeed(value);
    }

    /**
     * @return true if {@value #PROPERTY} fixes the seed.
     */
    public static boolean isFixed()
    {
        final String fixed = System.getProperty(PROPERTY);
        return fixed != null && !fixed.isBlank();
    }

    /**
     * @return the seed.
     */
    public long value()
    {
        return value;
    }

    /**
     * @return the line a failing run prints.
     */
    public String rerunHint()
    {
        return "flowstack simulation seed: " + value + " (rerun with -D" + PROPERTY + "=" + value + ")";
    }

    /**
     * Prints {@link #rerunHint()} to standard error and attaches it to the failure as a suppressed exception, so it
     * shows in the test report too.
     *
     * @param failure what went wrong.
     * @param <T>     its type.
     * @return the same failure, to rethrow.
     */
    public <T extends Throwable> T report(final T failure)
    {
        System.err.println(rerunHint());
        failure.addSuppressed(new SeedNote(rerunHint()));
        return failure;
    }

    /** A test body that may throw. */
    @FunctionalInterface
    public interface Body
    {
        /**
         * @param seed the seed to run with.
         * @throws Exception anything; a failure is reported with the seed.
         */
        void run(long seed) throws Exception;
    }

    /**
     * Runs a body with this seed and reports the seed if it fails.
     *
     * @param body the test.
     * @throws Exception what the body threw, with the seed attached.
     */
    public void run(final Body body) throws Exception
    {
        try
        {
            body.run(value);
        }
        catch (final Exception e)
        {
            throw report(e);
        }
        catch (final Error e)
        {
            throw report(e);
        }
    }

    @Override
    public String toString()
    {
        return Long.toString(value);
    }

    /** Carries the rerun hint into a failure's report; has no stack trace of its own. */
    private static final class SeedNote extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        SeedNote(final String message)
        {
            super(message, null, false, false);
        }
    }
}
