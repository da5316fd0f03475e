#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Blocklists for bench/run: N mixed prefixes (60% IPv4 mostly /24 and /32, 40% IPv6 /32../128,
the mix of bench/rules_bench.c), written as an xdpfleet list, an nft script and an ipset restore
file holding the same prefixes; or N IPv4 host addresses of one /16 (--hosts) for the traffic
setups. Random addresses avoid 0, 10, 127, 198 and 224+ so that no rule covers a test host.
Usage: gen_prefixes.py prefixes N SEED OUT_BASE | hosts N NET16 EXCLUDE24 OUT_BASE"""
import random
import sys

V4LEN = [24, 24, 24, 24, 24, 32, 32, 32, 16, 20, 22, 23, 28, 30]
V6LEN = [48, 48, 48, 48, 32, 32, 64, 64, 56, 128]
SKIP = {0, 10, 127, 198}


def v4(a, plen):
    a &= (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
    return "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, plen)


def v6(a, plen):
    a &= ((1 << 128) - 1) ^ ((1 << (128 - plen)) - 1)
    groups = ["%x" % ((a >> (112 - 16 * i)) & 0xFFFF) for i in range(8)]
    return ":".join(groups) + "/%d" % plen


def prefixes(n, seed, base):
    rnd = random.Random(seed)
    p4, p6 = [], []
    for i in range(n):
        if i % 10 < 6:
            first = rnd.randrange(1, 224)
            while first in SKIP:
                first = rnd.randrange(1, 224)
            p4.append(v4((first << 24) | rnd.getrandbits(24), rnd.choice(V4LEN)))
        else:
            a = (0x2000 | rnd.getrandbits(13)) << 112 | rnd.getrandbits(112)
            if (a >> 96) == 0x20010db8:
                a ^= 1 << 100
            p6.append(v6(a, rnd.choice(V6LEN)))
    with open(base + ".txt", "w") as f:
        f.write("\n".join(p4 + p6) + "\n")
    # nft: interval sets merge overlapping prefixes (auto-merge), as a blocklist load would.
    with open(base + ".nft", "w") as f:
        f.write("table inet xfbench {\n")
        for name, typ, lst in (("v4", "ipv4_addr", p4), ("v6", "ipv6_addr", p6)):
            f.write("  set %s { type %s; flags interval; auto-merge;\n    elements = {\n" % (name, typ))
            f.write(",\n".join("      " + p for p in lst))
            f.write("\n    }\n  }\n")
        f.write("}\n")
    with open(base + ".ipset", "w") as f:
        m = max(len(p4), len(p6)) * 2 + 1024
        f.write("create xfb4 hash:net family inet maxelem %d\n" % m)
        f.write("create xfb6 hash:net family inet6 maxelem %d\n" % m)
        f.write("".join("add xfb4 %s\n" % p for p in p4))
        f.write("".join("add xfb6 %s\n" % p for p in p6))


def hosts(n, net16, exclude24, base):
    """N addresses of NET16 (e.g. 198.19), none in EXCLUDE24 (the run's own /24)."""
    out = []
    x = 1
    while len(out) < n:
        a = "%s.%d.%d" % (net16, x >> 8, x & 255)
        x += 1
        if (x - 1) & 255 in (0, 255) or a.rsplit(".", 1)[0] == exclude24:
            continue
        out.append(a)
    with open(base + ".txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "prefixes":
        prefixes(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        hosts(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
