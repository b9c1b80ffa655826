#!/usr/bin/env python3
"""Watches every frame that enters the classroom's bridge from a port (run in
the access point's namespace: sniff.py BRIDGE LAN_CIDR OUT.json; it listens
on every interface there but the bridge itself) until SIGTERM, then writes what
it saw: frame counts, and every IPv4 packet that was not LAN to LAN or mDNS,
and every DNS query (UDP or TCP port 53), for the test to assert on.
Standard library only (an AF_PACKET socket)."""
import ipaddress, json, signal, socket, struct, sys

iface, lan, out = sys.argv[1], ipaddress.ip_network(sys.argv[2]), sys.argv[3]
ETH_P_ALL = 0x0003
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.settimeout(0.2)
MDNS = ipaddress.ip_address("224.0.0.251")
IGMP_ALL = ipaddress.ip_network("224.0.0.0/24")  # link-local multicast (IGMP reports, mDNS)
seen = {"frames": 0, "ipv4": 0, "ipv6": 0, "arp": 0, "mdns": 0, "other_ethertype": {}, "outside": {}, "dns": {}}
stop = False


def qname(b):
    """The first question's name of a DNS message body (after its header)."""
    labels, i = [], 0
    while i < len(b) and b[i] and len(labels) < 64:
        labels.append(b[i + 1 : i + 1 + b[i]].decode("ascii", "replace"))
        i += 1 + b[i]
    return ".".join(labels)


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
while not stop:
    try:
        frame, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING or addr[0] == iface:
        continue  # count each frame once: as it enters from a port
    seen["frames"] += 1
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0806:
        seen["arp"] += 1
        continue
    if etype == 0x86DD:
        seen["ipv6"] += 1
        key = "ipv6"
        seen["outside"][key] = seen["outside"].get(key, 0) + 1
        continue
    if etype != 0x0800:
        k = hex(etype)
        seen["other_ethertype"][k] = seen["other_ethertype"].get(k, 0) + 1
        continue
    seen["ipv4"] += 1
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    proto = ip[9]
    src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
    dport = struct.unpack("!H", ip[ihl + 2 : ihl + 4])[0] if proto in (6, 17) else 0
    if dst == MDNS and dport == 5353:
        seen["mdns"] += 1
        continue
    if dport == 53:
        k = f"{src}->{dst}:{dport}/{proto} {qname(ip[ihl + 8 + 12 :]) if proto == 17 else ''}"
        seen["dns"][k] = seen["dns"].get(k, 0) + 1
    if src in lan and (dst in lan or dst in IGMP_ALL or dst == lan.broadcast_address):
        continue
    k = f"{src}->{dst}:{dport}/{proto}"
    seen["outside"][k] = seen["outside"].get(k, 0) + 1
with open(out, "w") as f:
    json.dump(seen, f, indent=1)
