package io.flowstack.tcp.api;

/**
 * The connection states of RFC 9293 3.3.2, printed in the RFC's spelling.
 */
public enum TcpState
{
    /** No connection (the fictional state of a TCB that does not exist). */
    CLOSED("CLOSED"),
    /** Waiting for a connection request. */
    LISTEN("LISTEN"),
    /** SYN sent, waiting for a matching SYN. */
    SYN_SENT("SYN-SENT"),
    /** SYN received and sent, waiting for the acknowledgment of ours. */
    SYN_RECEIVED("SYN-RECEIVED"),
    /** Open: data flows both ways. */
    ESTABLISHED("ESTABLISHED"),
    /** We closed; waiting for the peer's FIN or the acknowledgment of ours. */
    FIN_WAIT_1("FIN-WAIT-1"),
    /** Our FIN is acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2("FIN-WAIT-2"),
    /** The peer closed; waiting for the application to close. */
    CLOSE_WAIT("CLOSE-WAIT"),
    /** Both closed at once; waiting for the acknowledgment of our FIN. */
    CLOSING("CLOSING"),
    /** The peer closed first, then we did; waiting for the acknowledgment of our FIN. */
    LAST_ACK("LAST-ACK"),
    /** Both sides closed; waiting 2 MSL so that the peer surely got our last ACK. */
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(final String rfcName)
    {
        this.rfcName = rfcName;
    }

    /**
     * @return true in the states RFC 9293 calls synchronized.
     */
    public boolean isSynchronized()
    {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /**
     * @return true once we have sent our FIN (or are past it).
     */
    public boolean finSent()
    {
        return this == FIN_WAIT_1 || this == FIN_WAIT_2 || this == CLOSING || this == LAST_ACK || this == TIME_WAIT;
    }

    @Override
    public String toString()
    {
        return rfcName;
    }
}
