# SPDX-License-Identifier: GPL-2.0-only
"""xfapi: the Agent API from Python for xdpfleet's tests: a client whose methods are the API's,
built from the message classes protoc generates (no gRPC stub generator needed). Run under
/usr/bin/python3 (Debian's python3-grpcio) with the generated module on PYTHONPATH."""
import grpc

from xdpfleet.v1 import agent_pb2

SERVICE = agent_pb2.DESCRIPTOR.services_by_name["Agent"]
# The server-streaming methods (the descriptor does not say which stream).
STREAMS = ("WatchStats", "ListRules", "Capture", "WatchTop", "WatchEvents")


def message_class(desc):
    return getattr(agent_pb2, desc.name)


class Agent:
    """agent.GetInfo(agent_pb2.GetInfoRequest()) and so on; streams return iterators."""

    def __init__(self, target, options=None, credentials=None):
        self.target = target
        opts = list(options or []) + [("grpc.max_receive_message_length", 256 << 20),
                                     ("grpc.max_send_message_length", 256 << 20)]
        if credentials:
            self.channel = grpc.secure_channel(target, credentials, options=opts)
        else:
            self.channel = grpc.insecure_channel(target, options=opts)
        for m in SERVICE.methods:
            path = "/%s/%s" % (SERVICE.full_name, m.name)
            out = message_class(m.output_type)
            streams = m.name in STREAMS
            make = self.channel.unary_stream if streams else self.channel.unary_unary
            setattr(self, m.name, make(path, request_serializer=lambda r: r.SerializeToString(),
                                       response_deserializer=out.FromString))
            # the same method taking raw bytes, for malformed payloads
            setattr(self, m.name + "_raw", make(path, request_serializer=None, response_deserializer=None))

    def close(self):
        self.channel.close()


def rules(agent):
    """Every rule, as (id, action, src, proto, port_min, port_max, comment) tuples, sorted."""
    out = []
    for page in agent.ListRules(agent_pb2.ListRulesRequest(), timeout=30):
        for r in page.rules:
            out.append((r.id, r.action, r.match.src, r.match.proto, r.match.port_min, r.match.port_max,
                        r.comment))
    return sorted(out)


def attachments(agent):
    resp = agent.ListAttachments(agent_pb2.ListAttachmentsRequest(), timeout=10)
    return sorted((a.ifname, a.program, a.prog_id) for a in resp.attachments)


def rss_anon_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0
