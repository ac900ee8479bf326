package io.flowstack.ip.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The TCP options of one segment (RFC 9293 3.2, RFC 7323, RFC 2018) as a reusable, mutable value: {@link #parse}
 * fills it from a header, the setters fill it for {@link #emit}. One instance is reused for every segment, so
 * neither parsing nor emitting allocates.
 * <p>
 * Parsing refuses a header with an illegal option length (RFC 9293 3.2 MUST-7) and skips options it does not
 * know by their length (RFC 9293 3.2 MUST-6). Emitting writes the options in the order and with the padding Linux
 * uses, so every option starts where Linux would put it and the total is a multiple of 4: MSS, SACK-permitted and
 * timestamps (NOP, NOP in place of SACK-permitted when it is absent), NOP and window scale, NOP, NOP and SACK.
 */
public final class TcpOptions
{
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    /** Value of {@link #mss()} and {@link #windowScale()} when the option is absent. */
    public static final int ABSENT = -1;

    /** Option kind: end of option list. */
    public static final int KIND_EOL = 0;

    /** Option kind: no-operation, used as padding. */
    public static final int KIND_NOP = 1;

    /** Option kind: maximum segment size (RFC 9293 3.7.1). */
    public static final int KIND_MSS = 2;

    /** Option kind: window scale (RFC 7323 2). */
    public static final int KIND_WINDOW_SCALE = 3;

    /** Option kind: SACK permitted (RFC 2018 2). */
    public static final int KIND_SACK_PERMITTED = 4;

    /** Option kind: SACK (RFC 2018 3). */
    public static final int KIND_SACK = 5;

    /** Option kind: timestamps (RFC 7323 3). */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length of the MSS option. */
    public static final int MSS_LENGTH = 4;

    /** Length of the window scale option. */
    public static final int WINDOW_SCALE_LENGTH = 3;

    /** Length of the SACK-permitted option. */
    public static final int SACK_PERMITTED_LENGTH = 2;

    /** Length of the timestamps option. */
    public static final int TIMESTAMPS_LENGTH = 10;

    /** Length of the SACK option's kind and length bytes; each block adds {@link #SACK_BLOCK_LENGTH}. */
    public static final int SACK_BASE_LENGTH = 2;

    /** Length of one SACK block: left and right edge. */
    public static final int SACK_BLOCK_LENGTH = 8;

    /** Most SACK blocks kept: 40 bytes of options hold at most 4 (RFC 2018 3). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** Largest shift count used (RFC 7323 2.3). */
    public static final int MAX_WINDOW_SCALE = 14;

    private int mss = ABSENT;
    private int windowScale = ABSENT;
    private boolean windowScaleClamped;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackCount;
    private final int[] sackLefts = new int[MAX_SACK_BLOCKS];
    private final int[] sackRights = new int[MAX_SACK_BLOCKS];

    /**
     * Clears every option.
     *
     * @return this
     */
    public TcpOptions reset()
    {
        mss = ABSENT;
        windowScale = ABSENT;
        windowScaleClamped = false;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
        return this;
    }

    /**
     * Parses the options of a header on which {@link TcpFlyweight#check()} passed.
     *
     * @param f the header.
     * @return {@link TcpFlyweight#VALID} or {@link TcpFlyweight#BAD_OPTIONS}.
     */
    public int parse(final TcpFlyweight f)
    {
        return parse(f.buffer(), f.optionsOffset(), f.optionsLength());
    }

    /**
     * Clears this value and parses options into it. RFC 9293 3.2 MUST-7: an option whose length is 0 or 1, runs
     * past the end of the options, or differs from its kind's fixed length (MSS 4, window scale 3,
     * SACK-permitted 2, timestamps 10, SACK 2 + 8n with n at least 1) makes the whole header bad. Parsing stops
     * at end-of-option-list. RFC 7323 2.3: a window scale above 14 is used as 14, and
     * {@link #windowScaleClamped()} records it. A repeated option overwrites the earlier one.
     *
     * @param buffer        bytes.
     * @param optionsOffset absolute index of the first option byte.
     * @param optionsLength bytes of options, padding included.
     * @return {@link TcpFlyweight#VALID}, or {@link TcpFlyweight#BAD_OPTIONS} with this value cleared.
     */
    public int parse(final DirectBuffer buffer, final int optionsOffset, final int optionsLength)
    {
        reset();
        final int result = walk(buffer, optionsOffset, optionsLength, this);
        if (result != TcpFlyweight.VALID)
        {
            reset();
        }
        return result;
    }

    /**
     * Checks option lengths as {@link #parse(DirectBuffer, int, int)} does, keeping nothing.
     *
     * @param buffer        bytes.
     * @param optionsOffset absolute index of the first option byte.
     * @param optionsLength bytes of options, padding included.
     * @return {@link TcpFlyweight#VALID} or {@link TcpFlyweight#BAD_OPTIONS}.
     */
    public static int validate(final DirectBuffer buffer, final int optionsOffset, final int optionsLength)
    {
        return walk(buffer, optionsOffset, optionsLength, null);
    }

    private static int walk(
        final DirectBuffer buffer, final int optionsOffset, final int optionsLength, final TcpOptions target)
    {
        final int end = optionsOffset + optionsLength;
        int i = optionsOffset;
        while (i < end)
        {
            final int kind = buffer.getByte(i) & 0xFF;
            if (kind == KIND_EOL)
            {
                // RFC 9293 3.2: end of the option list; what follows is padding.
                break;
            }
            if (kind == KIND_NOP)
            {
                i++;
                continue;
            }
            // Every other kind has a length byte that counts the kind and length bytes too (RFC 9293 3.2).
            if (end - i < 2)
            {
                return TcpFlyweight.BAD_OPTIONS;
            }
            final int optionLength = buffer.getByte(i + 1) & 0xFF;
            if (optionLength < 2 || optionLength > end - i)
            {
                return TcpFlyweight.BAD_OPTIONS;
            }
            switch (kind)
            {
                case KIND_MSS:
                    if (optionLength != MSS_LENGTH)
                    {
                        return TcpFlyweight.BAD_OPTIONS;
                    }
                    if (target != null)
                    {
                        target.mss = buffer.getShort(i + 2, NET) & 0xFFFF;
                    }
                    break;

                case KIND_WINDOW_SCALE:
                    if (optionLength != WINDOW_SCALE_LENGTH)
                    {
                        return TcpFlyweight.BAD_OPTIONS;
                    }
                    if (target != null)
                    {
                        // RFC 7323 2.3: "If a Window Scale option is received with a shift.cnt value larger
                        // than 14, the TCP SHOULD log the error but MUST use 14 instead of the specified value."
                        final int shift = buffer.getByte(i + 2) & 0xFF;
                        target.windowScaleClamped = shift > MAX_WINDOW_SCALE;
                        target.windowScale = Math.min(shift, MAX_WINDOW_SCALE);
                    }
                    break;

                case KIND_SACK_PERMITTED:
                    if (optionLength != SACK_PERMITTED_LENGTH)
                    {
                        return TcpFlyweight.BAD_OPTIONS;
                    }
                    if (target != null)
                    {
                        target.sackPermitted = true;
                    }
                    break;

                case KIND_SACK:
                    // RFC 2018 3: length 8 * n + 2 for n blocks; a SACK option without blocks says nothing.
                    if (optionLength < SACK_BASE_LENGTH + SACK_BLOCK_LENGTH ||
                        (optionLength - SACK_BASE_LENGTH) % SACK_BLOCK_LENGTH != 0)
                    {
                        return TcpFlyweight.BAD_OPTIONS;
                    }
                    if (target != null)
                    {
                        // 40 bytes of options hold at most 4 blocks, so none is lost here.
                        final int blocks = Math.min(
                            (optionLength - SACK_BASE_LENGTH) / SACK_BLOCK_LENGTH, MAX_SACK_BLOCKS);
                        target.sackCount = 0;
                        for (int b = 0; b < blocks; b++)
                        {
                            final int at = i + SACK_BASE_LENGTH + b * SACK_BLOCK_LENGTH;
                            target.sackLefts[b] = buffer.getInt(at, NET);
                            target.sackRights[b] = buffer.getInt(at + 4, NET);
                        }
                        target.sackCount = blocks;
                    }
                    break;

                case KIND_TIMESTAMPS:
                    if (optionLength != TIMESTAMPS_LENGTH)
                    {
                        return TcpFlyweight.BAD_OPTIONS;
                    }
                    if (target != null)
                    {
                        target.timestamps = true;
                        target.tsVal = buffer.getInt(i + 2, NET);
                        target.tsEcr = buffer.getInt(i + 6, NET);
                    }
                    break;

                default:
                    // RFC 9293 3.2 MUST-6: ignore an option not implemented, skipping it by its length.
                    break;
            }
            i += optionLength;
        }
        return TcpFlyweight.VALID;
    }

    /**
     * @return bytes {@link #emit} writes: a multiple of 4, at most {@link TcpFlyweight#MAX_OPTIONS_LENGTH}.
     */
    public int length()
    {
        final int fixed = fixedLength();
        final int blocks = emittedSackBlocks(fixed);
        return blocks == 0 ? fixed : fixed + 4 + blocks * SACK_BLOCK_LENGTH;
    }

    /**
     * Writes the options present, in Linux's order and padding (see the class comment). SACK blocks are written
     * in the order held, as many as fit in the 40 bytes left by the other options: the caller puts the block
     * of the segment that triggered the ACK first (RFC 2018 4).
     *
     * @param buffer bytes.
     * @param offset absolute index of the first option byte.
     * @return bytes written, equal to {@link #length()}.
     */
    public int emit(final MutableDirectBuffer buffer, final int offset)
    {
        int i = offset;
        if (mss != ABSENT)
        {
            buffer.putByte(i, (byte)KIND_MSS);
            buffer.putByte(i + 1, (byte)MSS_LENGTH);
            buffer.putShort(i + 2, (short)mss, NET);
            i += 4;
        }
        if (timestamps)
        {
            if (sackPermitted)
            {
                buffer.putByte(i, (byte)KIND_SACK_PERMITTED);
                buffer.putByte(i + 1, (byte)SACK_PERMITTED_LENGTH);
            }
            else
            {
                buffer.putByte(i, (byte)KIND_NOP);
                buffer.putByte(i + 1, (byte)KIND_NOP);
            }
            buffer.putByte(i + 2, (byte)KIND_TIMESTAMPS);
            buffer.putByte(i + 3, (byte)TIMESTAMPS_LENGTH);
            buffer.putInt(i + 4, tsVal, NET);
            buffer.putInt(i + 8, tsEcr, NET);
            i += 12;
        }
        else if (sackPermitted)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_NOP);
            buffer.putByte(i + 2, (byte)KIND_SACK_PERMITTED);
            buffer.putByte(i + 3, (byte)SACK_PERMITTED_LENGTH);
            i += 4;
        }
        if (windowScale != ABSENT)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_WINDOW_SCALE);
            buffer.putByte(i + 2, (byte)WINDOW_SCALE_LENGTH);
            buffer.putByte(i + 3, (byte)windowScale);
            i += 4;
        }
        final int blocks = emittedSackBlocks(i - offset);
        if (blocks > 0)
        {
            buffer.putByte(i, (byte)KIND_NOP);
            buffer.putByte(i + 1, (byte)KIND_NOP);
            buffer.putByte(i + 2, (byte)KIND_SACK);
            buffer.putByte(i + 3, (byte)(SACK_BASE_LENGTH + blocks * SACK_BLOCK_LENGTH));
            i += 4;
            for (int b = 0; b < blocks; b++)
            {
                buffer.putInt(i, sackLefts[b], NET);
                buffer.putInt(i + 4, sackRights[b], NET);
                i += SACK_BLOCK_LENGTH;
            }
        }
        return i - offset;
    }

    private int fixedLength()
    {
        int length = 0;
        if (mss != ABSENT)
        {
            length += 4;
        }
        if (timestamps)
        {
            length += 12;
        }
        else if (sackPermitted)
        {
            length += 4;
        }
        if (windowScale != ABSENT)
        {
            length += 4;
        }
        return length;
    }

    private int emittedSackBlocks(final int fixedLength)
    {
        final int room = (TcpFlyweight.MAX_OPTIONS_LENGTH - fixedLength - 4) / SACK_BLOCK_LENGTH;
        return Math.max(0, Math.min(sackCount, room));
    }

    /**
     * @return the maximum segment size, or {@link #ABSENT}.
     */
    public int mss()
    {
        return mss;
    }

    /**
     * @param value the maximum segment size (0 to 65535), or {@link #ABSENT}.
     * @return this
     */
    public TcpOptions mss(final int value)
    {
        mss = value;
        return this;
    }

    /**
     * @return the window scale shift count, at most {@link #MAX_WINDOW_SCALE}, or {@link #ABSENT}.
     */
    public int windowScale()
    {
        return windowScale;
    }

    /**
     * @param shift the window scale shift count (0 to {@link #MAX_WINDOW_SCALE}), or {@link #ABSENT}.
     * @return this
     */
    public TcpOptions windowScale(final int shift)
    {
        windowScale = shift;
        windowScaleClamped = false;
        return this;
    }

    /**
     * @return true if the parsed window scale was above 14 and {@link #windowScale()} is 14 instead (RFC 7323 2.3).
     */
    public boolean windowScaleClamped()
    {
        return windowScaleClamped;
    }

    /**
     * @return true if SACK-permitted is present.
     */
    public boolean sackPermitted()
    {
        return sackPermitted;
    }

    /**
     * @param value true to include SACK-permitted (in a SYN only, RFC 2018 2).
     * @return this
     */
    public TcpOptions sackPermitted(final boolean value)
    {
        sackPermitted = value;
        return this;
    }

    /**
     * @return true if the timestamps option is present.
     */
    public boolean hasTimestamps()
    {
        return timestamps;
    }

    /**
     * @return TSval when {@link #hasTimestamps()}, else 0.
     */
    public int tsVal()
    {
        return tsVal;
    }

    /**
     * @return TSecr when {@link #hasTimestamps()}, else 0; RFC 7323 3.2: meaningful only if the segment has ACK.
     */
    public int tsEcr()
    {
        return tsEcr;
    }

    /**
     * Includes the timestamps option.
     *
     * @param value TSval.
     * @param echo  TSecr.
     * @return this
     */
    public TcpOptions timestamps(final int value, final int echo)
    {
        timestamps = true;
        tsVal = value;
        tsEcr = echo;
        return this;
    }

    /**
     * Removes the timestamps option.
     *
     * @return this
     */
    public TcpOptions clearTimestamps()
    {
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        return this;
    }

    /**
     * @return SACK blocks held, 0 to {@link #MAX_SACK_BLOCKS}.
     */
    public int sackBlockCount()
    {
        return sackCount;
    }

    /**
     * @param index block, below {@link #sackBlockCount()}.
     * @return the left edge: first sequence number of the block.
     */
    public int sackLeft(final int index)
    {
        return sackLefts[index];
    }

    /**
     * @param index block, below {@link #sackBlockCount()}.
     * @return the right edge: sequence number just after the block.
     */
    public int sackRight(final int index)
    {
        return sackRights[index];
    }

    /**
     * Appends a SACK block.
     *
     * @param left  first sequence number of the block.
     * @param right sequence number just after the block.
     * @return false if {@link #MAX_SACK_BLOCKS} are already held, true if added.
     */
    public boolean addSackBlock(final int left, final int right)
    {
        if (sackCount == MAX_SACK_BLOCKS)
        {
            return false;
        }
        sackLefts[sackCount] = left;
        sackRights[sackCount] = right;
        sackCount++;
        return true;
    }

    /**
     * Removes every SACK block.
     *
     * @return this
     */
    public TcpOptions clearSackBlocks()
    {
        sackCount = 0;
        return this;
    }

    /**
     * @return the options present, for logs and test messages (allocates).
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder("TcpOptions{");
        if (mss != ABSENT)
        {
            out.append("mss=").append(mss).append(' ');
        }
        if (windowScale != ABSENT)
        {
            out.append("ws=").append(windowScale).append(windowScaleClamped ? "(clamped) " : " ");
        }
        if (sackPermitted)
        {
            out.append("sackOk ");
        }
        if (timestamps)
        {
            out.append("ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                .append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        for (int b = 0; b < sackCount; b++)
        {
            out.append("sack=").append(Integer.toUnsignedString(sackLefts[b])).append('-')
                .append(Integer.toUnsignedString(sackRights[b])).append(' ');
        }
        return out.append('}').toString();
    }
}
