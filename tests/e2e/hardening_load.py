# SPDX-License-Identifier: GPL-2.0-only
"""e2e (driven by hardening_load.sh): what a network or careless clients throw at an agent.
  storm:       10,000 malformed, truncated and corrupted payloads across every method, NUL bytes
               and bad UTF-8 in strings, an 8 MiB and a 100 MiB message: each gets an error
               status, the agent keeps serving, its rules and attachments are unchanged.
  concurrency: 32 clients x 1,000 mixed RPCs: no failure, the final rule set is exactly what the
               clients' sequences imply, the agent's anonymous RSS within 10% before and after.
  watchers:    200 WatchStats subscribers for 60 s, one of them stalled (it never reads): the
               others keep their interval, the agent's memory stays bounded.
Usage: hardening_load.py TARGET AGENT_PID IFACE [storm|concurrency|watchers]..."""
import os
import random
import sys
import threading
import time

import grpc

from xdpfleet.v1 import agent_pb2 as pb
from xfapi import SERVICE, STREAMS, Agent, attachments, message_class, rss_anon_kb, rules

TARGET, PID, IFACE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FAILS = 0


def check(ok, what):
    global FAILS
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    FAILS += 0 if ok else 1


def samples():
    """One valid request per method, the bases of the corrupted ones (a method missing here
    fails the storm with a KeyError naming it)."""
    rule = pb.Rule(action=pb.RULE_ACTION_DROP, match=pb.RuleMatch(src="198.18.77.0/24", proto=pb.PROTOCOL_TCP,
                                                                  port_min=80, port_max=90),
                   ttl_seconds=60, comment="storm", tag="t")
    return {
        "GetInfo": pb.GetInfoRequest(),
        "Attach": pb.AttachRequest(ifname=IFACE, builtin=pb.BUILTIN_PROGRAM_FILTER, mode=pb.ATTACH_MODE_NATIVE),
        "Detach": pb.DetachRequest(ifname=IFACE),
        "ListAttachments": pb.ListAttachmentsRequest(),
        "GetStats": pb.GetStatsRequest(ifname=IFACE),
        "WatchStats": pb.WatchStatsRequest(ifname=IFACE, interval_ms=100, count=1),
        "AddRules": pb.AddRulesRequest(rules=[rule, rule]),
        "DeleteRules": pb.DeleteRulesRequest(ids=[1, 2], matches=[rule.match]),
        "ListRules": pb.ListRulesRequest(page_size=10),
        "FlushRules": pb.FlushRulesRequest(action=pb.RULE_ACTION_MONITOR),
        "SyncRules": pb.SyncRulesRequest(tag="feed", rules=[rule]),
        "TestRule": pb.TestRuleRequest(src="198.18.77.1", proto=pb.PROTOCOL_TCP, port=80),
        "Capture": pb.CaptureRequest(ifname=IFACE, verdict=pb.CAPTURE_VERDICT_DROP, rule_id=3, sample=10, count=5,
                                     snaplen=128, max_pps=100),
        "WatchTop": pb.WatchTopRequest(ifname=IFACE, interval_ms=100, count=1, limit=5),
        "AddTrigger": pb.AddTriggerRequest(trigger=pb.Trigger(pps=5000, bps=10**9, proto=pb.PROTOCOL_UDP, port=53,
                                                                prefix_len_v4=24, prefix_len_v6=48,
                                                                action=pb.RULE_ACTION_LIMIT, limit_pps=100,
                                                                ttl_seconds=60, for_seconds=2)),
        "ListTriggers": pb.ListTriggersRequest(),
        "DeleteTriggers": pb.DeleteTriggersRequest(ids=[1, 2]),
        "WatchEvents": pb.WatchEventsRequest(after_seq=1, count=1),
    }


def parses(method, data):
    cls = message_class(next(m for m in SERVICE.methods if m.name == method).input_type)
    try:
        cls.FromString(data)
        return True
    except Exception:
        return False


def malformed(rng, method, valid):
    """Bytes a correct server must refuse: random, truncated or corrupted, and never a message
    Python itself would parse."""
    for _ in range(1000):
        kind = rng.randrange(3)
        if kind == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        elif kind == 1 and len(valid) > 1:
            data = valid[:rng.randrange(1, len(valid))]
        else:
            b = bytearray(valid or b"\x08")
            for _ in range(rng.randrange(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            data = bytes(b)
        if not parses(method, data):
            return data
    return b"\xff\xff\xff\xff\xff\x0f"  # wire type 7


def call_raw(agent, method, data, timeout=10):
    """The status code of a call with raw request bytes (streams: the end of the stream)."""
    fn = getattr(agent, method + "_raw")
    try:
        if method in STREAMS:
            for _ in fn(data, timeout=timeout):
                pass
        else:
            fn(data, timeout=timeout)
        return grpc.StatusCode.OK
    except grpc.RpcError as e:
        return e.code()


def storm():
    rng = random.Random(1234)
    agent = Agent(TARGET)
    before = (rules(agent), attachments(agent))
    base = {m: s.SerializeToString() for m, s in samples().items()}
    oks, codes = [], {}
    for i in range(10000):
        method = SERVICE.methods[i % len(SERVICE.methods)].name
        data = malformed(rng, method, base[method])
        code = call_raw(agent, method, data)
        codes[code.name] = codes.get(code.name, 0) + 1
        if code == grpc.StatusCode.OK:
            oks.append((method, data.hex()))
    check(not oks, "10,000 malformed payloads across %d methods: every one refused (%s)%s"
          % (len(SERVICE.methods), ", ".join("%s %d" % kv for kv in sorted(codes.items())),
             "; accepted: %s" % oks[:3] if oks else ""))
    # Strings Python parses but the agent must refuse: a NUL inside, bad UTF-8.
    nul = pb.AddRulesRequest(rules=[pb.Rule(action=pb.RULE_ACTION_DROP, match=pb.RuleMatch(src="198.18.200.7X/8"))])
    data = nul.SerializeToString().replace(b"X", b"\x00")
    check(call_raw(agent, "AddRules", data) == grpc.StatusCode.INVALID_ARGUMENT, "a NUL in match.src: refused")
    data = pb.AttachRequest(ifname="xf0X", builtin=1).SerializeToString().replace(b"X", b"\xff")
    check(call_raw(agent, "Attach", data) == grpc.StatusCode.INVALID_ARGUMENT, "bad UTF-8 in ifname: refused")
    big = bytes(rng.randrange(256) for _ in range(4096)) * (8 << 8)  # 8 MiB
    code = call_raw(agent, "AddRules", big, timeout=60)
    check(code != grpc.StatusCode.OK, "an 8 MiB garbage message: %s" % code.name)
    code = call_raw(agent, "GetInfo", b"\x00" * (100 << 20), timeout=60)
    check(code == grpc.StatusCode.RESOURCE_EXHAUSTED, "a 100 MiB message: %s" % code.name)
    info = agent.GetInfo(pb.GetInfoRequest(), timeout=10)
    check(info.version != "", "the agent keeps serving")
    check((rules(agent), attachments(agent)) == before, "rules and attachments unchanged")
    agent.close()


def client_sequence(t, agent, present, failures):
    """1,000 mixed calls of client t; present: the addresses it left with a rule."""
    rng = random.Random(t)
    for i in range(1000):
        op = i % 10
        addr = "198.19.%d.%d" % (100 + t, rng.randrange(1, 40))
        try:
            if op in (0, 1, 2, 3):
                agent.AddRules(pb.AddRulesRequest(rules=[pb.Rule(action=pb.RULE_ACTION_DROP,
                                                                  match=pb.RuleMatch(src=addr, proto=pb.PROTOCOL_UDP),
                                                                  comment="client %d" % t)]), timeout=30)
                present.add(addr)
            elif op == 7 and present:
                gone = sorted(present)[rng.randrange(len(present))]
                agent.DeleteRules(pb.DeleteRulesRequest(matches=[pb.RuleMatch(src=gone, proto=pb.PROTOCOL_UDP)]),
                                  timeout=30)
                present.discard(gone)
            elif op == 4:
                for _ in agent.ListRules(pb.ListRulesRequest(page_size=100), timeout=30):
                    pass
            elif op == 5:
                agent.GetStats(pb.GetStatsRequest(), timeout=30)
            elif op == 6:
                agent.GetInfo(pb.GetInfoRequest(), timeout=30)
            elif op == 8:
                agent.ListAttachments(pb.ListAttachmentsRequest(), timeout=30)
            else:
                for _ in agent.WatchStats(pb.WatchStatsRequest(interval_ms=100, count=1), timeout=30):
                    pass
        except grpc.RpcError as e:
            failures.append("client %d call %d: %s %s" % (t, i, e.code().name, e.details()))


def run_clients(n, present_sets, failures):
    agents = [Agent(TARGET) for _ in range(n)]
    threads = [threading.Thread(target=client_sequence, args=(t, agents[t], present_sets[t], failures))
               for t in range(n)]
    start = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for a in agents:
        a.close()
    return time.time() - start


def concurrency():
    failures = []
    warm = [set() for _ in range(32)]
    run_clients(32, warm, failures)  # the agent's pools and caches grow once
    time.sleep(1)
    rss0 = rss_anon_kb(PID)
    present = warm
    took = run_clients(32, present, failures)
    time.sleep(1)
    rss1 = rss_anon_kb(PID)
    check(not failures, "32 clients x 1,000 mixed RPCs in %.1f s: %d failures %s" % (took, len(failures), failures[:3]))
    agent = Agent(TARGET)
    got = sorted(r[2] for r in rules(agent) if r[6].startswith("client "))
    want = sorted("%s/32" % a for s in present for a in s)
    check(got == want, "the final rule set is what the sequences imply (%d rules)" % len(want))
    check(abs(rss1 - rss0) <= rss0 * 0.10,
          "the agent's anonymous RSS within 10%%: %d kB before, %d kB after" % (rss0, rss1))
    gone = [pb.RuleMatch(src=a, proto=pb.PROTOCOL_UDP) for s in present for a in s]
    if gone:
        agent.DeleteRules(pb.DeleteRulesRequest(matches=gone), timeout=60)
    agent.close()


def watchers():
    interval_ms, seconds, n = 500, 60, 200
    arrivals = [[] for _ in range(n)]
    stop = threading.Event()

    def watch(i, agent):
        try:
            for msg in agent.WatchStats(pb.WatchStatsRequest(interval_ms=interval_ms), timeout=seconds + 30):
                arrivals[i].append(time.monotonic())
                if stop.is_set():
                    break
        except grpc.RpcError:
            pass

    agents = [Agent(TARGET) for _ in range(4)]  # 50 streams per connection
    threads = [threading.Thread(target=watch, args=(i, agents[i % 4]), daemon=True) for i in range(n - 1)]
    # The stalled one: its own connection with a tiny window, never read.
    stalled_agent = Agent(TARGET, options=[("grpc.http2.lookahead_bytes", 1024), ("grpc.http2.bdp_probe", 0)])
    stalled = stalled_agent.WatchStats(pb.WatchStatsRequest(interval_ms=100), timeout=seconds + 30)
    for th in threads:
        th.start()
    rss = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        rss.append(rss_anon_kb(PID))
        time.sleep(5)
    stop.set()
    gaps = []
    for a in arrivals[:n - 1]:
        gaps += [b - a for a, b in zip(a[5:], a[6:])]  # past the start-up crowd
    gaps.sort()
    median, p99 = gaps[len(gaps) // 2] * 1000, gaps[int(len(gaps) * 0.99)] * 1000
    check(abs(median - interval_ms) <= interval_ms * 0.05 and p99 <= interval_ms * 1.5,
          "199 subscribers keep their %d ms interval next to a stalled one: median %.0f ms, p99 %.0f ms"
          % (interval_ms, median, p99))
    check(min(len(a) for a in arrivals[:n - 1]) >= seconds * 1000 / interval_ms * 0.9,
          "every one got its snapshots (at least %d)" % min(len(a) for a in arrivals[:n - 1]))
    grow = max(rss[2:]) - rss[2] if len(rss) > 3 else 0
    check(grow <= rss[2] * 0.10, "the agent's memory stays bounded over %d s: %s kB" % (seconds, rss))
    stalled.cancel()
    for a in agents + [stalled_agent]:
        a.close()


if __name__ == "__main__":
    for part in sys.argv[4:]:
        globals()[part]()
    sys.exit(1 if FAILS else 0)
