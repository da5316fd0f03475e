# SPDX-License-Identifier: GPL-2.0-only
# notify_listener.py ADDR SOCKET OUT READYFILE: stands in for systemd's notification socket at ADDR
# ('@name' abstract or a path). Writes one line per datagram to OUT: the message and whether the
# agent's SOCKET existed when it arrived; touches READYFILE once bound; ends after STOPPING=1.
import os
import socket
import sys

addr, agent_socket, out, ready = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(120)
open(ready, "w").close()
with open(out, "w", buffering=1) as f:
    while True:
        msg = s.recv(4096).decode()
        f.write(f"{msg.strip()} socket={'yes' if os.path.exists(agent_socket) else 'no'}\n")
        if "STOPPING=1" in msg.split("\n"):
            break
