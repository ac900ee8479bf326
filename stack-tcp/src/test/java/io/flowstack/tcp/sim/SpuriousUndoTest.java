package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.CongestionAlgorithm;
import org.junit.jupiter.api.Test;

import static io.flowstack.tcp.sim.CongestionControlGoodput.MS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Undo of a reduction (RFC 3522 by timestamps, RFC 2883 by D-SACK) is for retransmissions that were spurious. On a
 * path that loses at random and never reorders, the losses are real: (almost) nothing may be undone. Judging the
 * echoed timestamp of an ACK below the retransmitted segment undid 46 real losses in this transfer, live 455 of 659.
 */
class SpuriousUndoTest
{
    @Test
    void randomLossWithoutReorderingIsNotUndone() throws Exception
    {
        final CongestionControlGoodput.Result r =
            CongestionControlGoodput.run(CongestionAlgorithm.BBR, false, 20 * MS, 0.01, 32L << 20, 20261201L);
        assertTrue(r.undos() <= 2, "undos: " + r.undos() + " (" + r.sender() + ")");
    }
}
