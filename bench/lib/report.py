#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/run's report: reads the raw TSV samples bench/run wrote and writes latest.md (medians,
ratios, the issue's targets held or not, machine and load) and PNG plots drawn by gnuplot.
Usage: report.py RAW_DIR OUT_DIR [--quick]"""
import glob
import os
import statistics
import subprocess
import sys
from collections import defaultdict

RAW, OUT = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv[3:]


def rows(name):
    path = os.path.join(RAW, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def fmt(x, nd=1):
    return "n/a" if x != x else ("%.*f" % (nd, x))


def table(head, body):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in body]
    return "\n".join(out) + "\n"


def human(n):
    n = int(n)
    return "%dM" % (n // 1000000) if n >= 1000000 and n % 1000000 == 0 else \
        "%dk" % (n // 1000) if n >= 1000 and n % 1000 == 0 else str(n)


machine = dict((r[0], r[1]) for r in rows("machine.tsv") if r[0] != "rerun")
reruns = [r[1] for r in rows("machine.tsv") if r[0] == "rerun"]

# --- program cost ---------------------------------------------------------------------------
prog = {}      # set -> frame -> setup -> ns
prog_val = {}  # set -> key -> value
frames_order, setups_order = defaultdict(list), []
for path in sorted(glob.glob(os.path.join(RAW, "prog-*.tsv"))):
    for r in rows(os.path.basename(path)):
        if r[0] == "ns":
            st, fr, su, ns = r[1], r[2], r[3], float(r[4])
            prog.setdefault(st, {}).setdefault(fr, {})[su] = ns
            if fr not in frames_order[st]:
                frames_order[st].append(fr)
            if su not in setups_order:
                setups_order.append(su)
        elif r[0] == "val":
            prog_val.setdefault(r[1], {})[r[2]] = float(r[3])

SETUP_LABEL = {"1 rule": "filter 1", "1k": "filter 1k", "100k": "filter 100k", "1M": "filter 1M"}


def pns(st, fr, su):
    return prog.get(st, {}).get(fr, {}).get(su, float("nan"))


def ratio(a, b):
    return a / b if b == b and b else float("nan")


# --- the rest ---------------------------------------------------------------------------------
veth = defaultdict(list)
veth_in, veth_n = defaultdict(list), {}
for r in rows("veth.tsv"):
    veth[r[1]].append(float(r[2]))
    veth_in[r[1]].append(int(r[3]))
    veth_n[r[1]] = int(r[4])

loads = defaultdict(list)
prefixes = {}
for r in rows("load.tsv"):
    if r[0] == "load":
        loads[(r[1], int(r[2]))].append(float(r[3]) / 1000)
    elif r[0] == "prefixes":
        prefixes[int(r[1])] = int(r[2])
sizes = sorted(prefixes)

changes = defaultdict(list)
for r in rows("change.tsv"):
    changes[r[1]].append(float(r[2]))
restarts = [float(r[2]) / 1000 for r in rows("restart.tsv")]
restart_cpu = [float(r[3]) for r in rows("restart.tsv") if len(r) > 3]
restart_rules = rows("restart.tsv")[0][1] if restarts else "?"

rpc = defaultdict(list)
for r in rows("rpc.tsv"):
    rpc[(r[2], int(r[1]))].append((float(r[3]), float(r[4]), float(r[5])))

fanout = defaultdict(list)
for r in rows("fanout.tsv"):
    fanout[int(r[1])].append(float(r[2]))

maps = defaultdict(dict)  # when -> name -> bytes
rss = defaultdict(dict)   # when -> field -> kB
rule_n = {}
mem_when = []
for r in rows("mem.tsv"):
    if r[1] not in mem_when:
        mem_when.append(r[1])
    if r[0] == "map":
        maps[r[1]][r[2] + " (" + r[3] + ")"] = maps[r[1]].get(r[2] + " (" + r[3] + ")", 0) + int(r[4])
    elif r[0] == "rss":
        rss[r[1]][r[2].rstrip(":")] = int(r[3])
    elif r[0] == "rules":
        rule_n[r[1]] = int(r[2])
MiB = 1 << 20
w0 = mem_when[0] if mem_when else None
wbig = mem_when[1] if len(mem_when) > 1 else None

# --- targets ----------------------------------------------------------------------------------
targets = []


def target(what, value, limit, unit, why_not="", detail=""):
    held = value == value and value <= limit
    targets.append((what, "%s %s" % (fmt(value, 2), unit) + (" (%s)" % detail if detail else ""),
                    "<= %s %s" % (limit, unit), "**held**" if held else "not held" + (": " + why_not if why_not else "")))


big = human(prog_val.get("mixed", {}).get("distinct_rules", 0)) if prog else "?"
if w0:
    target("kernel map memory at 0 rules (agent, filter attached)", sum(maps[w0].values()) / MiB, 16, "MiB")
    target("agent VmRSS idle, 0 rules", rss[w0].get("VmRSS", 0) / 1024, 25, "MiB")
if w0 and wbig and rule_n.get(wbig):
    per = (rss[wbig]["RssAnon"] - rss[w0]["RssAnon"]) * 1024 / rule_n[wbig]
    wr = [w for w in mem_when if "restarted" in w]
    per_r = (rss[wr[0]]["RssAnon"] - rss[w0]["RssAnon"]) * 1024 / rule_n[wr[0]] if wr and rule_n.get(wr[0]) else float("nan")
    target("agent user-space bytes per rule at %s (RssAnon growth after the load)" % human(rule_n[wbig]), per, 150,
           "B/rule", "the heap keeps what the 1M-rule request and its batch used (RssAnon after a flush of "
           "every rule: %s MiB, at 0 rules: %s MiB); the steady state after a restart is still over the limit" %
           (fmt(rss[mem_when[-1]].get("RssAnon", 0) / 1024), fmt(rss[w0]["RssAnon"] / 1024)),
           "after a restart with them: %s B/rule" % fmt(per_r, 0))
if "v6" in prog:
    hits = [f for f in frames_order["v6"] if "hit" in f or "near" in f]
    worst = max(ratio(pns("v6", f, "100k"), pns("v6", f, "lpm 100k")) for f in hits)
    miss = ratio(pns("v6", "v6 miss", "100k"), pns("v6", "v6 miss", "lpm 100k"))
    target("IPv6 lookup vs kernel LPM trie, 100k IPv6 prefixes (worst of hits and near miss)", worst, 0.5, "x",
           detail="a miss outside every prefix: %sx, the trie stops at its root there" % fmt(miss, 2))
if "mixed" in prog:
    v6f = [f for f in frames_order["mixed"] if f.startswith("v6")]
    worst = max(ratio(pns("mixed", f, s), pns("mixed", "v4 miss", s)) for f in v6f for s in ("100k", "1M"))
    target("IPv6 lookup vs the filter's IPv4 miss (worst frame, 100k and %s mixed)" % big, worst, 2, "x")
    vals = [ratio(pns("mixed", "v4 /32 hit", s), pns("mixed", "v4 /32 hit", "drop")) for s in ("1 rule", "1k", "100k", "1M")]
    target("IPv4 /32 hit vs bare drop program (worst of 1, 1k, 100k, %s rules)" % big, max(vals), 2, "x",
           "the bare drop program is only the BPF_PROG_TEST_RUN harness and the stats update (%s ns here); "
           "the filter adds its parse, the root slot, the compare node, the leaf and the rule counters (%s ns "
           "at 1M rules): 2x would leave them no more than the harness costs" %
           (fmt(pns("mixed", "v4 /32 hit", "drop"), 0),
            fmt(pns("mixed", "v4 /32 hit", "1M") - pns("mixed", "v4 /32 hit", "drop"), 0)))
if changes.get("add"):
    floor = med(changes.get("info (no change)", []))
    why_ch = ("a read-only `info` round trip of the same CLI takes %s ms (process start, gRPC channel, "
              "connect): the change itself adds %%s ms" % fmt(floor))
    changes_why = {k: why_ch % fmt(med(changes[k]) - floor) for k in ("add", "del")}
    target("single `drop add` at %s rules (CLI round trip, median)" % human(restart_rules), med(changes["add"]), 20, "ms",
           changes_why["add"], "p90 %s ms" % fmt(pct(changes["add"], 0.9)))
    target("single `rules del` at %s rules (CLI round trip, median)" % human(restart_rules), med(changes["del"]), 20, "ms",
           changes_why["del"], "p90 %s ms" % fmt(pct(changes["del"], 0.9)))
if restarts:
    target("restart to serving every rule, %s rules" % human(restart_rules), med(restarts), 3, "s",
           "wall time on a shared machine (load average in the header); the agent itself used %s s of CPU "
           "until serving" % fmt(med(restart_cpu), 2), "agent CPU %s s; runs: %s s" %
           (fmt(med(restart_cpu), 2), ", ".join(fmt(x, 2) for x in restarts)))
for n, limit in zip(sizes[::-1], (3, 0.5)):
    xs = loads.get(("xdpfleet drop load", n), [])
    why = ("wall time on a shared machine, fastest run %s s" % fmt(min(xs) if xs else float("nan"), 2)) if limit == 0.5 else \
        ("the engine's batch is ~1 s (rules_bench); the rest is the CLI's parse and checks, the RPC of a "
         "1M-rule request and the policy layer's bookkeeping")
    target("%s mixed prefixes via `xdpfleet drop load`" % human(n), med(xs), limit, "s", why,
           "runs: " + ", ".join(fmt(x, 2) for x in xs))

# --- plots ------------------------------------------------------------------------------------
plots = []


def gnuplot(name, script, data):
    dat = os.path.join(OUT, name + ".dat")
    with open(dat, "w") as f:
        f.write(data)
    png = os.path.join(OUT, name + ".png")
    full = ("set terminal png size 900,480 font ',10'\nset output '%s'\nset style data histograms\n"
            "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\nset boxwidth 0.9\n"
            "set grid ytics\nset key top left\nset xtics rotate by -20\n" % png) + script.replace("DAT", dat)
    try:
        subprocess.run(["gnuplot"], input=full.encode(), check=True, capture_output=True)
        plots.append(name + ".png")
    except (OSError, subprocess.CalledProcessError) as e:
        sys.stderr.write("report: gnuplot %s: %s\n" % (name, e))
    os.unlink(dat)


if "mixed" in prog:
    cols = ["drop", "1M", "lpm 1M", "xdpf 1M"]
    data = "frame\t" + "\t".join('"%s"' % SETUP_LABEL.get(c, c) for c in cols) + "\n"
    for fr in frames_order["mixed"]:
        data += '"%s"\t' % fr + "\t".join(fmt(pns("mixed", fr, c), 0) for c in cols) + "\n"
    gnuplot("prog_cost", "set title 'XDP program cost, %s mixed prefixes (BPF\\_PROG\\_TEST\\_RUN, median ns/packet)'\n"
            "set ylabel 'ns per packet'\nset yrange [0:*]\nplot for [i=2:%d] 'DAT' using i:xtic(1) title columnhead\n" % (big, len(cols) + 1), data)
if veth:
    order = [s for s in ("xdp-drop", "filter-10k", "xdp-filter-10k", "nft-ingress-10k", "iptables-raw-1k") if s in veth]
    data = "setup\tmedian\tminimum\n" + "".join('"%s"\t%s\t%s\n' % (s, fmt(med(veth[s]), 0), fmt(min(veth[s]), 0))
                                             for s in order)
    gnuplot("veth_cpu", "set title 'CPU per packet on veth (trafgen, 64-byte UDP, all dropped; ns/packet of 7 samples)'\n"
            "set ylabel 'ns per packet (CPU of the sending core)'\nset yrange [0:*]\n"
            "plot for [i=2:3] 'DAT' using i:xtic(1) title columnhead\n", data)
if loads:
    tools = sorted({t for t, _ in loads})
    data = "n\t" + "\t".join('"%s"' % t for t in tools) + "\n"
    for n in sizes:
        data += '"%s prefixes"\t' % human(n) + "\t".join(fmt(med(loads.get((t, n), [])), 3) for t in tools) + "\n"
    gnuplot("load_time", "set title 'Loading a blocklist (median seconds)'\nset ylabel 'seconds'\nset logscale y\n"
            "plot for [i=2:%d] 'DAT' using i:xtic(1) title columnhead\n" % (len(tools) + 1), data)

# --- latest.md --------------------------------------------------------------------------------
md = ["# xdpfleet benchmark results%s\n" % (" (QUICK smoke run: small sizes, not comparable)" if QUICK else "")]
md.append("Written by `sudo bench/run` (docs/benchmarks.md explains every figure). Medians of setups "
          "measured in alternation, round by round, so that other work on the machine hits each alike.\n")
md.append(table(["", ""], [["date", machine.get("date", "?")], ["machine", machine.get("cpu", "?") + ", " + machine.get("memory", "?")],
                           ["kernel", machine.get("kernel", "?")], ["build", machine.get("build", "?") + ", commit " + machine.get("commit", "?")],
                           ["load average (1/5/15 min) at start", machine.get("loadavg_start", "?")],
                           ["load average at end", machine.get("loadavg_end", "?")]] +
                    [["sections run again (`--only`)", r] for r in reruns]))
md.append("The machine is shared with other workers (2 cores): absolute numbers move with the load, ratios of "
          "alternated medians much less.\n")
md.append("## Targets (issue 8)\n")
md.append(table(["target", "measured", "limit", ""], targets))
if plots:
    md.append("\n" + "\n".join("![%s](%s)" % (p[:-4], p) for p in plots) + "\n")

if prog:
    md.append("## Program cost (BPF_PROG_TEST_RUN)\n")
    md.append("ns per packet, median of the rounds (each round runs every setup on every frame, starting at a "
              "different setup). `filter N`: the agent's filter program with N rules; `lpm`: a kernel LPM trie "
              "holding the same prefixes (after the same parse); `xdpf`: xdp-filter (Debian xdp-tools, "
              "`xdpfilt_alw_ip.o`, maps resized) holding the rules' addresses as exact entries plus the hit "
              "frames' addresses. Misses: outside every prefix (`miss`) or inside the generated range but "
              "uncovered (`near miss`).\n")
    for st in ("mixed", "v4", "v6"):
        if st not in prog:
            continue
        v = prog_val.get(st, {})
        md.append("### %s set: %d distinct rules at the top size\n" % (st, v.get("distinct_rules", 0)))
        md.append(table(["frame"] + [SETUP_LABEL.get(s, s) for s in setups_order],
                        [[fr] + [fmt(pns(st, fr, s), 0) for s in setups_order] for fr in frames_order[st]]))
        md.append("\nRatios: filter 1M / drop, filter 100k / LPM 100k, filter 1M / LPM 1M, filter 1M / xdp-filter 1M\n\n")
        md.append(table(["frame", "/drop", "/lpm 100k", "/lpm 1M", "/xdpf 1M"],
                        [[fr, fmt(ratio(pns(st, fr, "1M"), pns(st, fr, "drop")), 2),
                          fmt(ratio(pns(st, fr, "100k"), pns(st, fr, "lpm 100k")), 2),
                          fmt(ratio(pns(st, fr, "1M"), pns(st, fr, "lpm 1M")), 2),
                          fmt(ratio(pns(st, fr, "1M"), pns(st, fr, "xdpf 1M")), 2)] for fr in frames_order[st]]))
        md.append("\nEngine alone (rules_bench): maps %s MiB at 0 rules, %s MiB at the top size, %s MiB after a flush; "
                  "%s B/rule by malloc; one-batch load of the middle size %s s, top size %s s; restore into "
                  "reused pins %s s.\n" % (fmt(v.get("map_mib_0", float("nan"))), fmt(v.get("map_mib_big", float("nan"))),
                                          fmt(v.get("map_mib_flushed", float("nan"))), fmt(v.get("engine_bytes_per_rule", float("nan")), 0),
                                          fmt(v.get("engine_load_mid_s", float("nan")), 3), fmt(v.get("engine_load_big_s", float("nan")), 3),
                                          fmt(v.get("engine_restore_s_1", float("nan")), 3)))

if veth:
    md.append("## CPU per packet on veth (trafgen)\n")
    md.append("trafgen (`--cpus 1`: its sender pinned to CPU 0) sends %d 64-byte UDP frames per sample from the root-side veth into a "
              "namespace, whose end holds the setup; veth's receive (and XDP) runs on the sending CPU, so the busy "
              "time of CPU 0 (/proc/stat) divided by the frames is the cost per packet, trafgen's own sending "
              "included (the same in every setup: compare with xdp-drop). Every frame's source is in the set "
              "(the last rule for iptables). `reached IP` counts frames the namespace's IP layer saw (Ip "
              "InReceives): 0 for XDP and ingress drops, all of them for iptables raw, which runs after it.\n" %
              max(veth_n.values()))
    md.append("Other work on CPU 0 only adds to a sample, so the minimum is the steadier estimate; both are shown.\n")
    md.append(table(["setup", "ns/packet median", "x xdp-drop", "ns/packet min", "x xdp-drop (min)", "samples",
                     "reached IP (median)"],
                    [[s, fmt(med(veth[s]), 0), fmt(ratio(med(veth[s]), med(veth.get("xdp-drop", []))), 2),
                      fmt(min(veth[s]), 0), fmt(ratio(min(veth[s]), min(veth.get("xdp-drop", [float("nan")]))), 2),
                      len(veth[s]), int(med(veth_in[s]))] for s in veth]))

if loads:
    md.append("\n## Loading a blocklist\n")
    md.append("The same generated prefixes (60% IPv4, 40% IPv6) through each tool into an empty state, wall "
              "clock, rotated per round: `xdpfleet drop load FILE` (CLI -> RPC -> agent -> maps, durable), "
              "`nft -f` of two interval sets with auto-merge, `ipset restore` of two hash:net sets (both in "
              "the agent's namespace).\n")
    body = []
    for n in sizes:
        base = med(loads.get(("xdpfleet drop load", n), []))
        for t in sorted({t for t, m in loads if m == n}):
            v = loads[(t, n)]
            body.append([human(n), t, fmt(med(v), 3), fmt(min(v), 3), len(v), fmt(ratio(med(v), base), 2)])
    md.append(table(["prefixes", "tool", "median s", "min s", "runs", "x xdpfleet"], body))

if changes or restarts:
    md.append("\n## Changes and restart at %s rules\n" % human(restart_rules))
    md.append("CLI round trips (process start, connect, RPC, durable journal append with fsync, maps), in ms. "
              "`info` is a read-only round trip: the floor a change cannot go under.\n")
    md.append(table(["operation", "median ms", "p90 ms", "max ms", "runs"],
                    [[k, fmt(med(v)), fmt(pct(v, 0.9)), fmt(max(v)), len(v)] for k, v in changes.items()]))
    if restarts:
        md.append("\nRestart (SIGTERM, start, until `info` answers with every rule back): median %s s, max %s s, "
                  "%d runs; the agent's CPU time until then: median %s s.\n" %
                  (fmt(med(restarts), 2), fmt(max(restarts), 2), len(restarts), fmt(med(restart_cpu), 2)))

if rpc:
    md.append("\n## RPC latency\n")
    md.append("Python gRPC clients (one process and channel each) over TCP into the agent's namespace; each "
              "repeat gives p50/p99 of all calls, the table the median over repeats. Client-side Python costs "
              "~100 us of each call.\n")
    md.append(table(["method", "clients", "p50 us", "p99 us", "calls/s", "repeats"],
                    [[m, c, fmt(med([x[0] for x in v]), 0), fmt(med([x[1] for x in v]), 0),
                      fmt(med([x[2] for x in v]), 0), len(v)] for (m, c), v in sorted(rpc.items())]))

if fanout:
    md.append("\n## `xdpfleet stats` fan-out\n")
    md.append("Agents in the root namespace on loopback ports (no interface each); one `xdpfleet -H h1,..,hN -o "
              "json stats` round trip, process start included, rotated.\n")
    md.append(table(["agents", "median ms", "max ms", "runs"],
                    [[n, fmt(med(v)), fmt(max(v)), len(v)] for n, v in sorted(fanout.items())]))

if mem_when:
    md.append("\n## Memory\n")
    md.append("Kernel memory of the agent's maps (memlock, from the map fds it holds; MiB) and its resident "
              "memory (/proc status, MiB).\n")
    names = sorted({n for w in mem_when for n in maps[w]})
    md.append(table(["map"] + mem_when, [[n] + [fmt(maps[w].get(n, 0) / MiB, 2) for w in mem_when] for n in names] +
                    [["**total**"] + [fmt(sum(maps[w].values()) / MiB, 1) for w in mem_when]]))
    md.append("\n")
    md.append(table(["process"] + mem_when, [["rules"] + [rule_n.get(w, "?") for w in mem_when]] +
                    [[k] + [fmt(rss[w].get(k, 0) / 1024, 1) for w in mem_when] for k in ("VmRSS", "RssAnon", "RssFile")]))

with open(os.path.join(OUT, "latest.md"), "w") as f:
    f.write("\n".join(md))
