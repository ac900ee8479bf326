package io.flowstack.tcp;

import io.flowstack.core.driver.DeviceListener;
import io.flowstack.core.driver.NetworkDriver;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Turns the cores' reports of failed queues into one report per interface: a device that is gone fails every
 * queue handle of every core that uses it, each core noticing on its own next read or write; the first report
 * for an interface counts, the rest are the same news.
 */
final class InterfaceHealth implements DeviceListener
{
    private final Map<NetworkDriver, Integer> interfaceOf;
    private final String[] devices;
    private final InterfaceListener listener;
    private final AtomicIntegerArray gone;
    private final AtomicInteger left;

    /**
     * @param interfaceOf every queue handle the cores were given, to its interface (an identity map, read-only
     *                    once the cores run).
     * @param devices     descriptions by interface index.
     * @param listener    told once per interface.
     */
    InterfaceHealth(final Map<NetworkDriver, Integer> interfaceOf, final String[] devices,
        final InterfaceListener listener)
    {
        this.interfaceOf = interfaceOf;
        this.devices = devices.clone();
        this.listener = listener;
        this.gone = new AtomicIntegerArray(devices.length);
        this.left = new AtomicInteger(devices.length);
    }

    @Override
    public void onQueueFailed(final int core, final NetworkDriver queue, final int errno)
    {
        final Integer ifIndex = interfaceOf.get(queue);
        if (ifIndex != null && gone.compareAndSet(ifIndex, 0, 1))
        {
            listener.onInterfaceGone(ifIndex, devices[ifIndex], errno, left.decrementAndGet());
        }
    }

    /**
     * @return interfaces not known to be gone.
     */
    int interfacesLeft()
    {
        return left.get();
    }
}
