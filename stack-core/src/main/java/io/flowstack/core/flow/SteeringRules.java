package io.flowstack.core.flow;

import java.util.Arrays;

/**
 * An ordered list of {@link SteeringRule}s, checked before the indirection table; the first rule that matches
 * wins, as with NIC ntuple filters. Lists are short, so a linear scan is the fastest lookup and allocates
 * nothing.
 * <p>
 * Not thread-safe: build the list at start-up, or give each core its own copy.
 */
public final class SteeringRules
{
    private SteeringRule[] rules = new SteeringRule[0];

    /**
     * Appends a rule; it is checked after the rules already added.
     *
     * @param rule the rule.
     * @return this.
     */
    public SteeringRules add(final SteeringRule rule)
    {
        if (rule == null)
        {
            throw new NullPointerException("rule");
        }
        final SteeringRule[] grown = Arrays.copyOf(rules, rules.length + 1);
        grown[rules.length] = rule;
        rules = grown;
        return this;
    }

    /**
     * @param protocol  IP protocol number of an inbound packet.
     * @param localHigh its destination address, first 64 bits ({@link io.flowstack.core.wire.AddressBits}).
     * @param localLow  its destination address, last 64 bits (IPv4 as its IPv4-mapped form).
     * @param localPort its destination port (any value for protocols without ports).
     * @return the core named by the first matching rule, or -1 if no rule matches.
     */
    public int match(final int protocol, final long localHigh, final long localLow, final int localPort)
    {
        for (final SteeringRule rule : rules)
        {
            if (rule.matches(protocol, localHigh, localLow, localPort))
            {
                return rule.core();
            }
        }
        return -1;
    }

    /**
     * @return number of rules.
     */
    public int size()
    {
        return rules.length;
    }

    /**
     * @param index 0..size-1.
     * @return the rule at that position.
     */
    public SteeringRule get(final int index)
    {
        return rules[index];
    }

    /**
     * @return the rules in their text form, comma separated, in order.
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < rules.length; i++)
        {
            out.append(i == 0 ? "" : ",").append(rules[i]);
        }
        return out.toString();
    }
}
