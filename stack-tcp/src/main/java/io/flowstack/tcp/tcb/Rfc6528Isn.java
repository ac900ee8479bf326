package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.IsnGenerator;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * RFC 6528 initial sequence numbers: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M
 * is a timer ticking every 4 microseconds and F a keyed hash (MD5, as the RFC suggests) of the connection
 * identifiers. Called once per connection, on the core's thread; it reuses its digest and arrays.
 */
public final class Rfc6528Isn implements IsnGenerator
{
    private final MessageDigest md5;
    private final byte[] input = new byte[36 + 16];
    private final byte[] output = new byte[16];

    /**
     * @param secret 16 bytes of secret key, chosen at random per start.
     */
    public Rfc6528Isn(final byte[] secret)
    {
        try
        {
            md5 = MessageDigest.getInstance("MD5");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
        System.arraycopy(secret, 0, input, 36, 16);
    }

    /**
     * @return a generator with a random secret.
     */
    public static Rfc6528Isn random()
    {
        final byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return new Rfc6528Isn(secret);
    }

    @Override
    public int isn(final long localHigh, final long localLow, final int localPort, final long remoteHigh,
        final long remoteLow, final int remotePort, final long nowNs)
    {
        putLong(0, localHigh);
        putLong(8, localLow);
        putLong(16, remoteHigh);
        putLong(24, remoteLow);
        putInt(32, localPort << 16 | remotePort & 0xFFFF);
        md5.update(input, 0, input.length);
        try
        {
            md5.digest(output, 0, output.length);
        }
        catch (final java.security.DigestException e)
        {
            throw new IllegalStateException(e);
        }
        final int f = (output[0] & 0xFF) << 24 | (output[1] & 0xFF) << 16 | (output[2] & 0xFF) << 8 | output[3] & 0xFF;
        final int m = (int)(nowNs / 4_000L);
        return m + f;
    }

    private void putLong(final int at, final long v)
    {
        putInt(at, (int)(v >>> 32));
        putInt(at + 4, (int)v);
    }

    private void putInt(final int at, final int v)
    {
        input[at] = (byte)(v >>> 24);
        input[at + 1] = (byte)(v >>> 16);
        input[at + 2] = (byte)(v >>> 8);
        input[at + 3] = (byte)v;
    }
}
