#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A collector: subscribes to WatchStats on several xdpfleet agents at once and prints one JSON
object per host per snapshot on stdout (JSON Lines), reconnecting to agents that restart.

It needs Debian's python3-grpcio (run it with /usr/bin/python3) and the message classes protoc
generates from the API, no gRPC stub generator:

    protoc --python_out=gen -I proto proto/xdpfleet/v1/agent.proto
    PYTHONPATH=gen /usr/bin/python3 docs/examples/collector.py \\
        --target unix:/run/xdpfleet/agent.sock --target 198.18.0.2:50051 --ca ca.pem \\
        --cert collector.pem --key collector.key

(a CMake build generates them into build/gen/python). Each line looks like
{"host": "...", "ifname": "xf0", "timestamp_unix_ns": ..., "period": 1.0,
 "actions": {"XDP_PASS": {"packets": ..., "bytes": ..., "pps": ..., "bps": ...}, ...},
 "exceptions": {"XDP_ABORTED": 0, ...}, "skipped": 0}
and {"host": "...", "event": "disconnected", "error": "..."} when a stream ends, then
{"host": "...", "event": "connected"} when it is back."""
import argparse
import json
import sys
import threading
import time

import grpc

from xdpfleet.v1 import agent_pb2

WATCH = "/xdpfleet.v1.Agent/WatchStats"


def channel_for(target, args):
    if target.startswith("unix:") or args.insecure or not args.ca:
        return grpc.insecure_channel(target)
    creds = grpc.ssl_channel_credentials(
        root_certificates=open(args.ca, "rb").read(),
        private_key=open(args.key, "rb").read() if args.key else None,
        certificate_chain=open(args.cert, "rb").read() if args.cert else None)
    return grpc.secure_channel(target, creds)


def snapshot_lines(host, resp):
    """One dict per interface of a GetStatsResponse."""
    for s in resp.interfaces:
        yield {
            "host": host,
            "ifname": s.ifname,
            "program": s.program,
            "timestamp_unix_ns": s.timestamp_unix_ns,
            "period": s.period,
            "actions": {agent_pb2.XdpAction.Name(a.action): {"packets": a.packets, "bytes": a.bytes,
                                                              "pps": a.pps, "bps": a.bps}
                        for a in s.actions},
            "exceptions": {agent_pb2.XdpAction.Name(e.action): e.count for e in s.exceptions},
            "skipped": resp.skipped,
        }


class Output:
    """Whole lines from several threads, flushed at once so a pipe reader sees each as it comes."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def write(self, obj):
        with self.lock:
            self.stream.write(json.dumps(obj, sort_keys=True) + "\n")
            self.stream.flush()


def follow(host, args, out, stop):
    """Streams one agent's snapshots until stop is set or --count snapshots arrived."""
    seen, backoff, connected = 0, 0.5, False
    request = agent_pb2.WatchStatsRequest(ifname=args.ifname, interval_ms=args.interval_ms)
    while not stop.is_set() and (not args.count or seen < args.count):
        channel = channel_for(host, args)
        watch = channel.unary_stream(WATCH, request_serializer=agent_pb2.WatchStatsRequest.SerializeToString,
                                     response_deserializer=agent_pb2.GetStatsResponse.FromString)
        try:
            stream = watch(request)
            for resp in stream:
                if not connected:
                    out.write({"host": host, "event": "connected"})
                    connected, backoff = True, 0.5
                for line in snapshot_lines(host, resp):
                    out.write(line)
                seen += 1
                if stop.is_set() or (args.count and seen >= args.count):
                    stream.cancel()
                    break
        except grpc.RpcError as e:
            if connected or backoff == 0.5:
                out.write({"host": host, "event": "disconnected", "error": "%s: %s" % (e.code().name, e.details())})
            connected = False
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
        finally:
            channel.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", action="append", required=True,
                   help="agent address: unix:/PATH or HOST:PORT; repeat for several")
    p.add_argument("--ifname", default="", help="one interface (default: every attachment)")
    p.add_argument("--interval-ms", type=int, default=1000, help="snapshot interval (default 1000)")
    p.add_argument("--count", type=int, default=0, help="stop after this many snapshots per host")
    p.add_argument("--ca", help="CA that signed the agents' certificates (TLS)")
    p.add_argument("--cert", help="client certificate (mTLS)")
    p.add_argument("--key", help="its key")
    p.add_argument("--insecure", action="store_true", help="plaintext TCP")
    args = p.parse_args()

    out, stop = Output(sys.stdout), threading.Event()
    threads = [threading.Thread(target=follow, args=(t, args, out, stop), daemon=True) for t in args.target]
    for t in threads:
        t.start()
    try:
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
    except KeyboardInterrupt:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
