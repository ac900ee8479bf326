"""Blind in-window injection into a live TCP connection (RFC 5961), for BlindInjectionLiveIT.

Run inside the client's (the kernel's) namespace: python3 blind_inject.py IFACE SERVER PORT COUNT FLOOD SEED

It prints "ready", then waits for a segment of the client's connection to SERVER:PORT on IFACE once the download runs,
which gives the tuple, the server's RCV.NXT (the client's sequence number) and the client's timestamp; then it
sends, as if from the client:
  COUNT segments, a third each of
    - RST with a sequence number inside the window but not RCV.NXT (RFC 5961 3: a challenge ACK, no reset),
    - SYN with a sequence number inside the window (RFC 5961 4: a challenge ACK),
    - data with a sequence number inside the window and an ACK a blind attacker would guess, far from what the
      server sent (RFC 5961 5: dropped, a challenge ACK);
  then FLOOD more in-window RSTs, all at about 20,000 a second: past the server's per-second budget of
  challenge ACKs.
The segments carry the client's timestamp option (ahead of its clock), so PAWS passes them on to the RFC 5961 checks.
It prints one line: "injected rst=R syn=S data=D flood=F seconds=T dropped=N", N the frames the device's queue
dropped on their way to the server.
"""
import random
import sys
import time

from scapy.all import Ether, IP, TCP, Raw, sniff, conf

conf.verb = 0


def main():
    iface, server, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count, flood, seed = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    rnd = random.Random(seed)

    def from_client(p):
        return (IP in p and TCP in p and p[IP].dst == server and p[TCP].dport == port
                and p[TCP].flags & 0x10 and not p[TCP].flags & 0x07)

    print("ready", flush=True)
    # A segment once the download runs (its ACK 100 KB beyond the first one seen): the request is behind it, so its
    # sequence number is the server's RCV.NXT for the rest of the download.
    first = []

    def downloading(p):
        if not first:
            first.append(p[TCP].ack)
        return (p[TCP].ack - first[0]) % 2**32 > 100000

    seen = sniff(iface=iface, lfilter=from_client, stop_filter=downloading, timeout=30)
    if not seen or not downloading(seen[-1]):
        print("no segment of the download seen on " + iface)
        sys.exit(2)
    s = seen[-1]
    rcv_nxt = s[TCP].seq
    snd_una = s[TCP].ack
    ts = dict(o for o in s[TCP].options if isinstance(o, tuple)).get("Timestamp")
    head = Ether(src=s[Ether].src, dst=s[Ether].dst) / IP(src=s[IP].src, dst=server)

    def segment(flags, seq, ack, payload=b""):
        # Ahead of the client's clock by about 17 minutes: building the segments takes seconds, and a TSval behind
        # TS.Recent would be stopped by PAWS (RFC 7323 5) before the checks this test is about.
        options = [("NOP", None), ("NOP", None), ("Timestamp", ((ts[0] + 2**20) % 2**32, ts[1]))] if ts else []
        p = head / TCP(sport=s[TCP].sport, dport=port, flags=flags, seq=seq % 2**32, ack=ack % 2**32,
                       window=502, options=options)
        return p / Raw(payload) if payload else p

    def in_window():
        # Inside any window the server could have advertised, and never exactly RCV.NXT.
        return rcv_nxt + rnd.randint(1, 60000)

    def blind_ack():
        # A guess that misses what the server sent by far, as all but about (window / 2^32) of them do.
        return snd_una + 2**31 + rnd.randint(-2**29, 2**29)

    third = count // 3
    packets = [segment("R", in_window(), 0) for _ in range(third)]
    packets += [segment("S", in_window(), 0) for _ in range(third)]
    packets += [segment("PA", in_window(), blind_ack(), b"X" * 100) for _ in range(count - 2 * third)]
    rnd.shuffle(packets)
    packets += [segment("R", in_window(), 0) for _ in range(flood)]
    frames = [bytes(p) for p in packets]
    sock = conf.L2socket(iface=iface)
    dropped_before = tx_dropped(iface)
    start = time.monotonic()
    for i, f in enumerate(frames):
        sock.send(f)
        if i % 100 == 99:
            # About 20,000 a second: faster than the budget of challenge ACKs, slower than the TAP's queue fills.
            time.sleep(0.005)
    seconds = time.monotonic() - start
    sock.close()
    time.sleep(0.2)
    dropped = tx_dropped(iface) - dropped_before
    print("injected rst=%d syn=%d data=%d flood=%d seconds=%.3f dropped=%d (seen seq %d ack %d)"
          % (third, third, count - 2 * third, flood, seconds, dropped, rcv_nxt, snd_una))


def tx_dropped(iface):
    # Frames the device's queue dropped on their way to the stack (ip netns exec mounts the namespace's sysfs).
    with open("/sys/class/net/%s/statistics/tx_dropped" % iface) as f:
        return int(f.read())


if __name__ == "__main__":
    main()
