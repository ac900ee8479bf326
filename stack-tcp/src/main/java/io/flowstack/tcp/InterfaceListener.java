package io.flowstack.tcp;

/**
 * Told when an interface's device is gone for good (deleted, or its network namespace deleted): the cores have
 * stopped reading it, frames for it are dropped and counted ({@code engine.tx_no_device}). Called once per
 * interface, on the core thread that noticed first; it may allocate and log, but must not block.
 */
@FunctionalInterface
public interface InterfaceListener
{
    /**
     * @param ifIndex        the interface.
     * @param device         the device's description ({@link io.flowstack.core.driver.NetworkDevice#describe()}).
     * @param errno          what the driver saw (EBADFD for a TAP, ENODEV for a raw socket's interface).
     * @param interfacesLeft interfaces still working; 0 when this was the last.
     */
    void onInterfaceGone(int ifIndex, String device, int errno, int interfacesLeft);
}
