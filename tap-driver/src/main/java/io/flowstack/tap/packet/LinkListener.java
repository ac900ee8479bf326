package io.flowstack.tap.packet;

/**
 * Told when a raw socket's interface goes down or comes back. Called on the thread that noticed (a core's
 * thread), at most once per change; it may allocate and log, changes are rare.
 */
@FunctionalInterface
public interface LinkListener
{
    /** Prints one line per change on standard error. */
    LinkListener STDERR = (ifName, up, detail) ->
        System.err.println("flowstack: interface " + ifName + (up ? " is up again" : " went down") + " (" + detail
            + ")" + (up ? "" : "; waiting for it to come back"));

    /**
     * @param ifName interface name.
     * @param up     true when it came back, false when it went down.
     * @param detail how it was noticed, for the log line.
     */
    void onLinkChange(String ifName, boolean up, String detail);
}
