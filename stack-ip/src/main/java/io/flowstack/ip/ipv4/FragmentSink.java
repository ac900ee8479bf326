package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * Receives the fragments that {@link Fragmenter#fragment} produces, in order of increasing offset.
 * <p>
 * Implement it once per core (a field, not a lambda created per call) so that fragmenting allocates nothing.
 */
@FunctionalInterface
public interface FragmentSink
{
    /**
     * Takes one fragment. The sink owns the buffer from now on and must send or release it.
     *
     * @param fragment a complete IPv4 fragment; its window starts at the IP header and it has at least the pool's
     *                 default headroom in front, so a link header can be prepended.
     */
    void onFragment(PacketBuffer fragment);
}
