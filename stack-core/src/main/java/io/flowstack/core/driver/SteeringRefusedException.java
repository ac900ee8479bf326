package io.flowstack.core.driver;

/**
 * A device could not take the stack's ownership function into the kernel (old kernel, missing capability, a
 * program over the kernel's limits); it keeps steering as before. The message is one line.
 */
public final class SteeringRefusedException extends Exception
{
    /**
     * @param message why, on one line.
     * @param cause   the underlying failure, or null.
     */
    public SteeringRefusedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
