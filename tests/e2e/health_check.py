# SPDX-License-Identifier: GPL-2.0-only
"""health_check.py TARGET [SERVICE]: prints the grpc.health.v1 status of SERVICE ("" by default)
at TARGET as the standard Python health stub sees it (NOT_FOUND and other errors by code name).
With --watch, prints each status the Watch stream sends until it ends, then the end's code."""
import sys

import grpc

from grpc_health.v1 import health_pb2


def main():
    args = [a for a in sys.argv[1:] if a != "--watch"]
    watch = "--watch" in sys.argv
    target, service = args[0], (args[1] if len(args) > 1 else "")
    channel = grpc.insecure_channel(target)
    req = health_pb2.HealthCheckRequest(service=service)
    name = health_pb2.HealthCheckResponse.ServingStatus.Name
    try:
        if watch:
            stream = channel.unary_stream("/grpc.health.v1.Health/Watch",
                                          request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                          response_deserializer=health_pb2.HealthCheckResponse.FromString)
            for resp in stream(req, timeout=30):
                print(name(resp.status), flush=True)
            print("END OK")
        else:
            check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                        response_deserializer=health_pb2.HealthCheckResponse.FromString)
            print(name(check(req, timeout=5).status))
    except grpc.RpcError as e:
        print(("END " if watch else "") + e.code().name, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
