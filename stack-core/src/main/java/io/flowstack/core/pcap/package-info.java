/**
 * Capture files in the classic libpcap format, for debugging and for tests that hand traffic to Wireshark.
 */
package io.flowstack.core.pcap;
