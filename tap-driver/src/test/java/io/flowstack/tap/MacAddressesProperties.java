package io.flowstack.tap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Random;

class MacAddressesProperties
{
    @Property
    boolean randomAddressesAreLocallyAdministeredUnicast(@ForAll final long seed)
    {
        final long mac = MacAddresses.randomLocalUnicast(new Random(seed));
        return MacAddresses.isLocallyAdministered(mac) && MacAddresses.isUnicast(mac)
            && (mac & ~MacAddresses.MASK) == 0;
    }

    @Property
    boolean textRoundTrips(@ForAll final long raw)
    {
        final long mac = raw & MacAddresses.MASK;
        return MacAddresses.parse(MacAddresses.toString(mac)) == mac;
    }

    @Property
    boolean bufferRoundTrips(@ForAll final long raw)
    {
        final long mac = raw & MacAddresses.MASK;
        final UnsafeBuffer b = new UnsafeBuffer(new byte[6]);
        MacAddresses.write(b, 0, mac);
        return MacAddresses.read(b, 0) == mac;
    }

    @Property
    boolean distinctFromTheAddressToAvoid(@ForAll final long raw)
    {
        final long avoid = MacAddresses.randomLocalUnicast(new Random(raw));
        return MacAddresses.randomLocalUnicastDistinctFrom(avoid) != avoid;
    }
}
