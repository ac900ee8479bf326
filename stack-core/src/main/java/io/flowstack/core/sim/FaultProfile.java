package io.flowstack.core.sim;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a link (or a {@link FaultyDriver}) does to frames: random and bursty loss, duplication, reordering,
 * corruption, delay and jitter, a bandwidth limit with a bounded queue, and scheduled partitions. Immutable.
 * <p>
 * Written and read in one line, the syntax of {@link #parse} and {@link #toString()}:
 * <pre>
 * loss=1%,burst=1%:20%:50%,dup=0.1%,reorder=0.5%:2ms,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,queue=256,
 * partition=2s@5s,partition=1s@20s/30s
 * </pre>
 * <ul>
 *   <li>{@code loss=P}: each frame is lost with probability P (a percentage, or a fraction in 0..1).</li>
 *   <li>{@code burst=ENTER:EXIT[:LOSS]}: Gilbert–Elliott bursty loss: a good/bad state moves from good to bad with
 *       probability ENTER and back with EXIT per frame; in the bad state a frame is lost with LOSS (default 100%).
 *       The long-run loss is LOSS x ENTER / (ENTER + EXIT), in bursts of 1 / EXIT frames on average.</li>
 *   <li>{@code dup=P}: a frame arrives twice (each copy with its own jitter and corruption).</li>
 *   <li>{@code reorder=P[:EXTRA]}: a frame is held back EXTRA longer (default {@value #DEFAULT_REORDER_DELAY_NS} ns)
 *       so that later frames overtake it.</li>
 *   <li>{@code corrupt=P}: one random bit of one random byte <em>after the 14-byte Ethernet header</em> is flipped,
 *       so the IPv4 header checksum or the transport checksum must catch it. A flip in the Ethernet header would
 *       only make the frame vanish (wrong address, unknown type), which {@code loss} models already. Frames that
 *       are not IP (ARP has no checksum) are lost instead of corrupted: on a real link the Ethernet FCS catches
 *       wire errors, and the errors that slip past it happen inside forwarding devices, which forward IP only.</li>
 *   <li>{@code delay=D}, {@code jitter=J}: propagation delay D, varied uniformly within D-J..D+J (never below 0);
 *       like netem, a jitter larger than the gap between frames reorders them.</li>
 *   <li>{@code rate=R}: bandwidth in bit/s ({@code bit, kbit, mbit, gbit}, powers of 1000, as in tc): a frame of
 *       L bytes occupies the link for L x 8 / R seconds (Ethernet preamble and gap not counted), frames queue
 *       behind each other.</li>
 *   <li>{@code queue=N} frames or {@code queue=Nb|Nkb|Nkib|Nmib} bytes: the bound of that queue (tail drop); with a
 *       rate and no queue the bound is {@value #DEFAULT_QUEUE_FRAMES} frames. Either or both may be given.</li>
 *   <li>{@code partition=D@T[/P]}: the link is down for D from time T (virtual time in a simulation, time since
 *       the injector was made on a real device), again every P if given; repeat the key for several. Frames
 *       offered while down are lost; frames already in flight still arrive.</li>
 * </ul>
 * Durations take {@code ns, us, ms, s}. The order of keys does not matter; {@link #toString()} prints the
 * canonical order above and leaves out what is off, so {@code parse(p.toString()).equals(p)}.
 *
 * @param loss             probability of random loss.
 * @param burstEnter       Gilbert–Elliott probability of moving from the good to the bad state per frame (0: off).
 * @param burstExit        probability of moving from the bad back to the good state per frame.
 * @param burstLoss        loss probability in the bad state.
 * @param duplicate        probability of a second copy.
 * @param reorder          probability of holding a frame back.
 * @param reorderDelayNs   how long a reordered frame is held back.
 * @param corrupt          probability of a bit flip after the Ethernet header.
 * @param delayNs          base propagation delay.
 * @param jitterNs         maximum deviation from the base delay, either way.
 * @param rateBitsPerSecond bandwidth, 0 for unlimited.
 * @param queueFrames      queue bound in frames, 0 for none (a rate then uses {@link #DEFAULT_QUEUE_FRAMES}).
 * @param queueBytes       queue bound in bytes, 0 for none.
 * @param partitions       scheduled down intervals.
 */
public record FaultProfile(
    double loss,
    double burstEnter,
    double burstExit,
    double burstLoss,
    double duplicate,
    double reorder,
    long reorderDelayNs,
    double corrupt,
    long delayNs,
    long jitterNs,
    long rateBitsPerSecond,
    int queueFrames,
    int queueBytes,
    List<Partition> partitions)
{
    /** Extra delay of a reordered frame when the profile does not say. */
    public static final long DEFAULT_REORDER_DELAY_NS = 1_000_000L;
    /** Queue bound of a rate-limited link that names none (Linux's default txqueuelen). */
    public static final int DEFAULT_QUEUE_FRAMES = 1000;
    /** A perfect link: no faults, no delay, unlimited bandwidth. */
    public static final FaultProfile NONE = new FaultProfile(0, 0, 0, 0, 0, 0, DEFAULT_REORDER_DELAY_NS, 0, 0, 0, 0, 0, 0,
        List.of());

    private static final String KNOWN = "loss, burst, dup, reorder, corrupt, delay, jitter, rate, queue, partition";

    /**
     * A scheduled outage.
     *
     * @param startNs    when it starts.
     * @param durationNs how long it lasts.
     * @param periodNs   when it repeats (measured start to start), 0 for once.
     */
    public record Partition(long startNs, long durationNs, long periodNs)
    {
        /**
         * Validates the values.
         *
         * @param startNs    when it starts.
         * @param durationNs how long it lasts.
         * @param periodNs   when it repeats (measured start to start), 0 for once.
         */
        public Partition
        {
            if (startNs < 0 || durationNs <= 0 || periodNs < 0 || (periodNs != 0 && periodNs <= durationNs))
            {
                throw new IllegalArgumentException("partition needs start >= 0, duration > 0 and period > duration: "
                    + durationNs + "ns@" + startNs + "ns/" + periodNs + "ns");
            }
        }

        /**
         * @param nowNs a time.
         * @return true if the link is down at that time.
         */
        public boolean isDown(final long nowNs)
        {
            if (nowNs < startNs)
            {
                return false;
            }
            final long since = nowNs - startNs;
            return periodNs == 0 ? since < durationNs : since % periodNs < durationNs;
        }

        @Override
        public String toString()
        {
            return duration(durationNs) + "@" + duration(startNs) + (periodNs == 0 ? "" : "/" + duration(periodNs));
        }
    }

    /**
     * Validates the values.
     *
     * @param loss             probability of random loss.
     * @param burstEnter       Gilbert–Elliott probability of moving from the good to the bad state per frame (0: off).
     * @param burstExit        probability of moving from the bad back to the good state per frame.
     * @param burstLoss        loss probability in the bad state.
     * @param duplicate        probability of a second copy.
     * @param reorder          probability of holding a frame back.
     * @param reorderDelayNs   how long a reordered frame is held back.
     * @param corrupt          probability of a bit flip after the Ethernet header.
     * @param delayNs          base propagation delay.
     * @param jitterNs         maximum deviation from the base delay, either way.
     * @param rateBitsPerSecond bandwidth, 0 for unlimited.
     * @param queueFrames      queue bound in frames, 0 for none (a rate then uses {@link #DEFAULT_QUEUE_FRAMES}).
     * @param queueBytes       queue bound in bytes, 0 for none.
     * @param partitions       scheduled down intervals.
     */
    public FaultProfile
    {
        probability("loss", loss);
        probability("burst enter", burstEnter);
        probability("burst exit", burstExit);
        probability("burst loss", burstLoss);
        probability("dup", duplicate);
        probability("reorder", reorder);
        probability("corrupt", corrupt);
        if (burstEnter > 0 && burstExit == 0)
        {
            throw new IllegalArgumentException("burst needs a non-zero exit probability, or the link stays bad forever");
        }
        if (reorderDelayNs < 0 || delayNs < 0 || jitterNs < 0)
        {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (rateBitsPerSecond < 0 || queueFrames < 0 || queueBytes < 0)
        {
            throw new IllegalArgumentException("rate and queue must not be negative");
        }
        if (rateBitsPerSecond == 0 && (queueFrames > 0 || queueBytes > 0))
        {
            throw new IllegalArgumentException("queue needs a rate: without one nothing ever waits");
        }
        partitions = List.copyOf(partitions);
    }

    private static void probability(final String name, final double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new IllegalArgumentException(name + " probability must be within 0..1, got " + p);
        }
    }

    /**
     * @return a builder starting from {@link #NONE}.
     */
    public static Builder builder()
    {
        return new Builder(NONE);
    }

    /**
     * @return a builder starting from this profile.
     */
    public Builder toBuilder()
    {
        return new Builder(this);
    }

    /**
     * @return true if the profile does nothing at all to frames.
     */
    public boolean isNone()
    {
        return equals(NONE);
    }

    /**
     * @return the long-run loss probability of the Gilbert–Elliott model alone.
     */
    public double burstLossRate()
    {
        return burstEnter == 0 ? 0 : burstLoss * burstEnter / (burstEnter + burstExit);
    }

    /**
     * @return the queue bound in frames that applies (the default when a rate is set without one).
     */
    public int effectiveQueueFrames()
    {
        if (rateBitsPerSecond == 0)
        {
            return 0;
        }
        return queueFrames == 0 && queueBytes == 0 ? DEFAULT_QUEUE_FRAMES : queueFrames;
    }

    /**
     * @param nowNs a time.
     * @return true if a partition is in force.
     */
    public boolean isPartitioned(final long nowNs)
    {
        for (int i = 0; i < partitions.size(); i++)
        {
            if (partitions.get(i).isDown(nowNs))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a profile in the syntax described on the type. Empty text or {@code none} is {@link #NONE}.
     *
     * @param text the profile.
     * @return the profile.
     * @throws IllegalArgumentException with a one-line reason.
     */
    public static FaultProfile parse(final String text)
    {
        final String spec = text == null ? "" : text.strip();
        final Builder b = builder();
        if (spec.isEmpty() || spec.equalsIgnoreCase("none"))
        {
            return b.build();
        }
        boolean reorderDelaySet = false;
        for (final String item : spec.split(","))
        {
            final String entry = item.strip();
            final int eq = entry.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("fault '" + entry + "' needs KEY=VALUE (keys: " + KNOWN + ")");
            }
            final String key = entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            final String value = entry.substring(eq + 1).strip();
            switch (key)
            {
                case "loss" -> b.loss(parseProbability(key, value));
                case "dup", "duplicate" -> b.duplicate(parseProbability(key, value));
                case "corrupt" -> b.corrupt(parseProbability(key, value));
                case "delay" -> b.delay(parseDuration(key, value));
                case "jitter" -> b.jitter(parseDuration(key, value));
                case "rate" -> b.rate(parseRate(value));
                case "reorder" ->
                {
                    final String[] parts = value.split(":", -1);
                    if (parts.length > 2)
                    {
                        throw new IllegalArgumentException("reorder takes P[:EXTRA_DELAY], got '" + value + "'");
                    }
                    b.reorder(parseProbability(key, parts[0]), parts.length == 2 ? parseDuration(key, parts[1])
                        : reorderDelaySet ? b.reorderDelayNs : DEFAULT_REORDER_DELAY_NS);
                    reorderDelaySet |= parts.length == 2;
                }
                case "burst" ->
                {
                    final String[] parts = value.split(":", -1);
                    if (parts.length < 2 || parts.length > 3)
                    {
                        throw new IllegalArgumentException("burst takes ENTER:EXIT[:LOSS], got '" + value + "'");
                    }
                    b.burst(parseProbability("burst enter", parts[0]), parseProbability("burst exit", parts[1]),
                        parts.length == 3 ? parseProbability("burst loss", parts[2]) : 1.0);
                }
                case "queue" -> parseQueue(b, value);
                case "partition" -> b.partition(parsePartition(value));
                default -> throw new IllegalArgumentException("unknown fault '" + key + "' (keys: " + KNOWN + ")");
            }
        }
        try
        {
            return b.build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("bad fault profile '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static double parseProbability(final String key, final String value)
    {
        try
        {
            final boolean percent = value.endsWith("%");
            final BigDecimal n = new BigDecimal(percent ? value.substring(0, value.length() - 1).strip() : value);
            final BigDecimal p = percent ? n.movePointLeft(2) : n;
            if (p.signum() < 0 || p.compareTo(BigDecimal.ONE) > 0)
            {
                throw new IllegalArgumentException(key + " must be within 0..100%, got '" + value + "'");
            }
            return p.doubleValue();
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad probability '" + value + "' for " + key + " (e.g. 1% or 0.01)");
        }
    }

    /**
     * Reads a duration with a unit: {@code ns, us, ms, s}.
     *
     * @param key   what it is for (for the message).
     * @param value the text.
     * @return nanoseconds.
     */
    static long parseDuration(final String key, final String value)
    {
        final String v = value.strip().toLowerCase(Locale.ROOT);
        final long unit;
        final int cut;
        if (v.endsWith("ns"))
        {
            unit = 1;
            cut = 2;
        }
        else if (v.endsWith("us"))
        {
            unit = 1_000;
            cut = 2;
        }
        else if (v.endsWith("ms"))
        {
            unit = 1_000_000;
            cut = 2;
        }
        else if (v.endsWith("s"))
        {
            unit = 1_000_000_000;
            cut = 1;
        }
        else
        {
            throw new IllegalArgumentException("bad duration '" + value + "' for " + key + " (needs a unit: ns, us, ms, s)");
        }
        return scaled(key, value, v.substring(0, v.length() - cut), unit, "duration");
    }

    private static long scaled(final String key, final String original, final String number, final long unit,
        final String what)
    {
        try
        {
            final BigDecimal n = new BigDecimal(number.strip()).multiply(BigDecimal.valueOf(unit));
            if (n.signum() < 0)
            {
                throw new IllegalArgumentException(key + " must not be negative, got '" + original + "'");
            }
            return n.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        }
        catch (final NumberFormatException | ArithmeticException e)
        {
            throw new IllegalArgumentException("bad " + what + " '" + original + "' for " + key);
        }
    }

    private static long parseRate(final String value)
    {
        final String v = value.strip().toLowerCase(Locale.ROOT);
        final String[] units = {"gbit", "mbit", "kbit", "bit"};
        final long[] scales = {1_000_000_000L, 1_000_000L, 1_000L, 1L};
        for (int i = 0; i < units.length; i++)
        {
            if (v.endsWith(units[i]))
            {
                final long r = scaled("rate", value, v.substring(0, v.length() - units[i].length()), scales[i], "rate");
                if (r <= 0)
                {
                    throw new IllegalArgumentException("rate must be positive, got '" + value + "'");
                }
                return r;
            }
        }
        throw new IllegalArgumentException("bad rate '" + value + "' (needs a unit: bit, kbit, mbit, gbit)");
    }

    private static void parseQueue(final Builder b, final String value)
    {
        final String v = value.strip().toLowerCase(Locale.ROOT);
        final String[] units = {"mib", "kib", "mb", "kb", "b"};
        final long[] scales = {1L << 20, 1L << 10, 1_000_000L, 1_000L, 1L};
        for (int i = 0; i < units.length; i++)
        {
            if (v.endsWith(units[i]))
            {
                final long bytes = scaled("queue", value, v.substring(0, v.length() - units[i].length()), scales[i], "queue size");
                if (bytes <= 0 || bytes > Integer.MAX_VALUE)
                {
                    throw new IllegalArgumentException("queue must be 1 byte..2 GiB, got '" + value + "'");
                }
                b.queueBytes((int)bytes);
                return;
            }
        }
        try
        {
            final int frames = Integer.parseInt(v);
            if (frames <= 0)
            {
                throw new IllegalArgumentException("queue must be at least 1 frame, got '" + value + "'");
            }
            b.queueFrames(frames);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad queue '" + value + "' (frames, or bytes with b, kb, kib, mb, mib)");
        }
    }

    private static Partition parsePartition(final String value)
    {
        final int at = value.indexOf('@');
        if (at <= 0)
        {
            throw new IllegalArgumentException("partition takes DURATION@START[/PERIOD], got '" + value + "'");
        }
        final int slash = value.indexOf('/', at);
        final long duration = parseDuration("partition", value.substring(0, at));
        final long start = parseDuration("partition", slash < 0 ? value.substring(at + 1) : value.substring(at + 1, slash));
        final long period = slash < 0 ? 0 : parseDuration("partition", value.substring(slash + 1));
        try
        {
            return new Partition(start, duration, period);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("bad partition '" + value + "': duration must be positive and shorter"
                + " than the period");
        }
    }

    /**
     * @return the profile in the syntax of {@link #parse}; {@code none} for {@link #NONE}.
     */
    @Override
    public String toString()
    {
        final List<String> parts = new ArrayList<>();
        if (loss > 0)
        {
            parts.add("loss=" + percent(loss));
        }
        if (burstEnter > 0)
        {
            parts.add("burst=" + percent(burstEnter) + ":" + percent(burstExit) + ":" + percent(burstLoss));
        }
        if (duplicate > 0)
        {
            parts.add("dup=" + percent(duplicate));
        }
        if (reorder > 0)
        {
            parts.add("reorder=" + percent(reorder)
                + (reorderDelayNs == DEFAULT_REORDER_DELAY_NS ? "" : ":" + duration(reorderDelayNs)));
        }
        if (corrupt > 0)
        {
            parts.add("corrupt=" + percent(corrupt));
        }
        if (delayNs > 0)
        {
            parts.add("delay=" + duration(delayNs));
        }
        if (jitterNs > 0)
        {
            parts.add("jitter=" + duration(jitterNs));
        }
        if (rateBitsPerSecond > 0)
        {
            parts.add("rate=" + rate(rateBitsPerSecond));
        }
        if (queueFrames > 0)
        {
            parts.add("queue=" + queueFrames);
        }
        if (queueBytes > 0)
        {
            parts.add("queue=" + (queueBytes % 1024 == 0 ? queueBytes / 1024 + "kib" : queueBytes + "b"));
        }
        for (final Partition p : partitions)
        {
            parts.add("partition=" + p);
        }
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    /** Exact: the shortest decimal of the double, times 100, reads back to the same double. */
    private static String percent(final double p)
    {
        return BigDecimal.valueOf(p).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    static String duration(final long ns)
    {
        if (ns != 0 && ns % 1_000_000_000L == 0)
        {
            return ns / 1_000_000_000L + "s";
        }
        if (ns != 0 && ns % 1_000_000L == 0)
        {
            return ns / 1_000_000L + "ms";
        }
        if (ns != 0 && ns % 1_000L == 0)
        {
            return ns / 1_000L + "us";
        }
        return ns + (ns == 0 ? "s" : "ns");
    }

    private static String rate(final long bps)
    {
        if (bps % 1_000_000_000L == 0)
        {
            return bps / 1_000_000_000L + "gbit";
        }
        if (bps % 1_000_000L == 0)
        {
            return bps / 1_000_000L + "mbit";
        }
        if (bps % 1_000L == 0)
        {
            return bps / 1_000L + "kbit";
        }
        return bps + "bit";
    }

    /** Builds a {@link FaultProfile}; every setter validates when {@link #build()} runs. */
    public static final class Builder
    {
        private double loss;
        private double burstEnter;
        private double burstExit;
        private double burstLoss;
        private double duplicate;
        private double reorder;
        private long reorderDelayNs;
        private double corrupt;
        private long delayNs;
        private long jitterNs;
        private long rate;
        private int queueFrames;
        private int queueBytes;
        private final List<Partition> partitions = new ArrayList<>();

        private Builder(final FaultProfile p)
        {
            loss = p.loss;
            burstEnter = p.burstEnter;
            burstExit = p.burstExit;
            burstLoss = p.burstLoss;
            duplicate = p.duplicate;
            reorder = p.reorder;
            reorderDelayNs = p.reorderDelayNs;
            corrupt = p.corrupt;
            delayNs = p.delayNs;
            jitterNs = p.jitterNs;
            rate = p.rateBitsPerSecond;
            queueFrames = p.queueFrames;
            queueBytes = p.queueBytes;
            partitions.addAll(p.partitions);
        }

        /**
         * @param p probability of random loss.
         * @return this
         */
        public Builder loss(final double p)
        {
            loss = p;
            return this;
        }

        /**
         * @param enter probability of entering the bad state per frame.
         * @param exit  probability of leaving it.
         * @param lossInBad loss probability in the bad state.
         * @return this
         */
        public Builder burst(final double enter, final double exit, final double lossInBad)
        {
            burstEnter = enter;
            burstExit = exit;
            burstLoss = lossInBad;
            return this;
        }

        /**
         * @param p probability of duplication.
         * @return this
         */
        public Builder duplicate(final double p)
        {
            duplicate = p;
            return this;
        }

        /**
         * @param p            probability of reordering.
         * @param extraDelayNs how long a reordered frame is held back.
         * @return this
         */
        public Builder reorder(final double p, final long extraDelayNs)
        {
            reorder = p;
            reorderDelayNs = extraDelayNs;
            return this;
        }

        /**
         * @param p probability of a bit flip after the Ethernet header.
         * @return this
         */
        public Builder corrupt(final double p)
        {
            corrupt = p;
            return this;
        }

        /**
         * @param ns base propagation delay.
         * @return this
         */
        public Builder delay(final long ns)
        {
            delayNs = ns;
            return this;
        }

        /**
         * @param ns maximum deviation from the base delay, either way.
         * @return this
         */
        public Builder jitter(final long ns)
        {
            jitterNs = ns;
            return this;
        }

        /**
         * @param bitsPerSecond bandwidth, 0 for unlimited.
         * @return this
         */
        public Builder rate(final long bitsPerSecond)
        {
            rate = bitsPerSecond;
            return this;
        }

        /**
         * @param frames queue bound in frames, 0 for none.
         * @return this
         */
        public Builder queueFrames(final int frames)
        {
            queueFrames = frames;
            return this;
        }

        /**
         * @param bytes queue bound in bytes, 0 for none.
         * @return this
         */
        public Builder queueBytes(final int bytes)
        {
            queueBytes = bytes;
            return this;
        }

        /**
         * @param partition an outage to add.
         * @return this
         */
        public Builder partition(final Partition partition)
        {
            partitions.add(partition);
            return this;
        }

        /**
         * @param durationNs how long.
         * @param startNs    from when.
         * @return this
         */
        public Builder partition(final long durationNs, final long startNs)
        {
            return partition(new Partition(startNs, durationNs, 0));
        }

        /**
         * @return the profile.
         * @throws IllegalArgumentException if a value is out of range.
         */
        public FaultProfile build()
        {
            return new FaultProfile(loss, burstEnter, burstExit, burstLoss, duplicate, reorder, reorderDelayNs, corrupt,
                delayNs, jitterNs, rate, queueFrames, queueBytes, partitions);
        }
    }
}
