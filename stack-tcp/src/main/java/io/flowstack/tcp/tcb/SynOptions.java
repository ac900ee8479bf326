package io.flowstack.tcp.tcb;

/**
 * Takes the options of the peer's SYN: the MSS (RFC 9293 3.7.1; our own MSS and TCP_MAXSEG clamp it), window
 * scaling and timestamps (RFC 7323: used only if both sides sent them). The window in a SYN is never scaled.
 */
final class SynOptions
{
    /** Bytes of the timestamps option with its two NOPs: they come off every segment's payload. */
    static final int TIMESTAMPS_LENGTH = 12;
    /** Largest window shift (RFC 7323 2.3). */
    static final int MAX_WINDOW_SHIFT = 14;

    private SynOptions()
    {
    }

    static void apply(final Tcb tcb, final Segment seg)
    {
        final Sender snd = tcb.snd;
        final Receiver rcv = tcb.rcv;
        final int peerMss = seg.options.mss() > 0 ? seg.options.mss() : Sender.DEFAULT_MSS;
        tcb.windowScaling = tcb.windowScaling && seg.options.windowScale() >= 0;
        if (tcb.windowScaling)
        {
            snd.wndShift = Math.min(seg.options.windowScale(), MAX_WINDOW_SHIFT);
        }
        else
        {
            snd.wndShift = 0;
            rcv.wndShift = 0;
        }
        tcb.timestamps = tcb.timestamps && seg.options.hasTimestamps();
        tcb.sack = tcb.sack && seg.options.sackPermitted();
        snd.useSack(tcb.sack);
        if (tcb.timestamps)
        {
            rcv.tsRecent = seg.options.tsVal();
        }
        snd.mss = Math.max(64, Math.min(peerMss, rcv.mss) - (tcb.timestamps ? TIMESTAMPS_LENGTH : 0));
        snd.wnd = seg.window;
        snd.maxWnd = seg.window;
    }

    /**
     * @return the window shift that lets a window of {@code bufferBytes} be advertised (RFC 7323 2.3).
     */
    static int windowShift(final int bufferBytes)
    {
        int shift = 0;
        while (shift < MAX_WINDOW_SHIFT && (bufferBytes >>> shift) > 65535)
        {
            shift++;
        }
        return shift;
    }
}
