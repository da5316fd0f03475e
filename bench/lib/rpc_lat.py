#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""RPC latency for bench/run: CLIENTS processes (one channel each, so the GIL does not serialise
them) call METHOD (GetInfo or GetStats) CALLS times each on TARGET after a warm-up; prints
"clients method p50_us p99_us calls_per_s". Run under /usr/bin/python3 with the generated
module and tests/lib/python on PYTHONPATH.
Usage: rpc_lat.py TARGET CLIENTS CALLS METHOD"""
import multiprocessing as mp
import sys
import time

from xdpfleet.v1 import agent_pb2 as pb
from xfapi import Agent


def client(target, calls, method, start, q):
    agent = Agent(target)
    call = getattr(agent, method)
    req = getattr(pb, method + "Request")()
    for _ in range(20):
        call(req, timeout=10)
    start.wait()
    lat = []
    for _ in range(calls):
        t0 = time.perf_counter()
        call(req, timeout=10)
        lat.append(time.perf_counter() - t0)
    agent.close()
    q.put(lat)


def main():
    target, clients, calls, method = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    q = mp.Queue()
    start = mp.Barrier(clients + 1)
    procs = [mp.Process(target=client, args=(target, calls, method, start, q)) for _ in range(clients)]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    lat = []
    for _ in procs:
        lat.extend(q.get())
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    lat.sort()
    p50 = lat[len(lat) // 2] * 1e6
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e6
    print("%d %s %.0f %.0f %.0f" % (clients, method, p50, p99, len(lat) / wall))


if __name__ == "__main__":
    main()
