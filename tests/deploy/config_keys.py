# SPDX-License-Identifier: GPL-2.0-only
# The example configs (deploy/agent.conf, the ConfigMap's agent.conf) use only keys that are long
# options of the built xdpfleetd's --help, and deploy/agent.conf shows every option with a comment.
import os
import re
import subprocess
import sys

import yaml

src = os.environ["XF_SOURCE_DIR"]
agent = os.environ["XDPFLEETD"]
# Options the examples already show for agents that will have them; each one leaves this list
# as soon as xdpfleetd --help lists it.
PENDING = {"metrics-listen"}
# Options that make no sense in a config file.
NOT_IN_FILE = {"help", "version", "config"}


def fail(msg):
    print(f"config_keys: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


helptext = subprocess.run([agent, "--help"], check=True, stdout=subprocess.PIPE, text=True).stdout
options = set(re.findall(r"^\s+(?:-\w, )?--([a-z][a-z0-9-]*)", helptext, re.M))
if len(options) < 5:
    fail(f"too few options in xdpfleetd --help: {sorted(options)}")
known = options | PENDING
stale = sorted(PENDING & options)
if stale:
    print(f"config_keys: note: {stale} are options now; remove them from PENDING")


def keys(text, name, with_comments):
    """(key, line number, commented) of every 'key = value' line; prose comments are skipped."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^(#\s*)?([a-z][a-z0-9-]*)\s*=\s*(\S.*)?$", line)
        if m and (with_comments or not m.group(1)):
            found.append((m.group(2), n, bool(m.group(1))))
        elif line.strip() and not line.lstrip().startswith("#"):
            fail(f"{name}:{n}: not a 'key = value' line: {line!r}")
    return found


conf_path = os.path.join(src, "deploy", "agent.conf")
conf = open(conf_path).read()
seen = set()
for key, n, _ in keys(conf, "deploy/agent.conf", True):
    if key not in known:
        fail(f"deploy/agent.conf:{n}: '{key}' is not an option of xdpfleetd")
    seen.add(key)
missing = sorted(options - NOT_IN_FILE - seen)
if missing:
    fail(f"deploy/agent.conf does not show {missing}")
# Every key (or run of keys) directly follows a comment saying what it is.
lines = conf.splitlines()
is_key = re.compile(r"^(#\s*)?[a-z][a-z0-9-]*\s*=")
for key, n, _ in keys(conf, "deploy/agent.conf", True):
    i = n - 2
    while i >= 0 and is_key.match(lines[i]):
        i -= 1
    if i < 0 or not lines[i].startswith("#"):
        fail(f"deploy/agent.conf:{n}: no comment directly before '{key}'")

with open(os.path.join(src, "deploy", "k8s", "configmap.yaml")) as f:
    cm = yaml.safe_load(f)
for key, n, _ in keys(cm["data"]["agent.conf"], "configmap agent.conf", True):
    if key not in known:
        fail(f"configmap agent.conf:{n}: '{key}' is not an option of xdpfleetd")
print(f"config_keys: ok: {len(seen)} keys of deploy/agent.conf, all {len(options - NOT_IN_FILE)} options shown")
