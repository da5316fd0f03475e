# SPDX-License-Identifier: GPL-2.0-only
# deploy/k8s/*.yaml parse and hold what running xdpfleetd on every node needs: host networking,
# the host's bpffs with mount propagation, the state hostPath, the BPF capabilities without
# privilege, gRPC probes on the API port, a ConfigMap agent.conf matching the mounts, resources,
# tolerations for every node, and the metrics Service on port 9477.
import os
import sys

import yaml

src = os.environ["XF_SOURCE_DIR"]
version = os.environ["XF_VERSION"]
k8s = os.path.join(src, "deploy", "k8s")


def fail(msg):
    print(f"k8s_manifests: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


docs = {}
for name in sorted(os.listdir(k8s)):
    if name.endswith(".yaml"):
        with open(os.path.join(k8s, name)) as f:
            for doc in yaml.safe_load_all(f):
                check(isinstance(doc, dict) and "kind" in doc, f"{name}: a document without kind")
                docs.setdefault(doc["kind"], []).append((name, doc))

kust = docs["Kustomization"][0][1]
listed = set(kust["resources"])
present = {n for n in os.listdir(k8s) if n.endswith(".yaml") and n != "kustomization.yaml"}
check(listed == present, f"kustomization resources {sorted(listed)} != files {sorted(present)}")

ds = docs["DaemonSet"][0][1]
ns = docs["Namespace"][0][1]["metadata"]["name"]
check(ds["apiVersion"] == "apps/v1", "DaemonSet apiVersion")
for kind in ("DaemonSet", "ConfigMap", "Service"):
    check(docs[kind][0][1]["metadata"].get("namespace") == ns, f"{kind} is not in namespace {ns}")
pod = ds["spec"]["template"]["spec"]
labels = ds["spec"]["template"]["metadata"]["labels"]
sel = ds["spec"]["selector"]["matchLabels"]
check(sel.items() <= labels.items(), "the DaemonSet selector does not match its pod labels")
check(pod.get("hostNetwork") is True, "hostNetwork is not true")
check(pod.get("dnsPolicy") == "ClusterFirstWithHostNet", "dnsPolicy with hostNetwork")
check(pod.get("automountServiceAccountToken") is False, "the agent needs no API token")
check({"operator": "Exists"} in pod.get("tolerations", []), "no toleration of every taint")

volumes = {v["name"]: v for v in pod["volumes"]}
agent = next(c for c in pod["containers"] if c["name"] == "xdpfleetd")
mounts = {m["mountPath"]: m for m in agent["volumeMounts"]}


def host_path(mount_path, container_mounts):
    m = container_mounts.get(mount_path)
    check(m is not None, f"nothing mounted at {mount_path}")
    v = volumes[m["name"]]
    check("hostPath" in v, f"{mount_path} is not a hostPath volume")
    return m, v["hostPath"]["path"]


m, hp = host_path("/sys/fs/bpf", mounts)
check(hp == "/sys/fs/bpf", "bpffs hostPath is not the host's /sys/fs/bpf")
check(m.get("mountPropagation") in ("HostToContainer", "Bidirectional"), "bpffs without mountPropagation")
m, hp = host_path("/var/lib/xdpfleet", mounts)
check(hp == "/var/lib/xdpfleet" and not m.get("readOnly"), "state hostPath /var/lib/xdpfleet, writable")
host_path("/sys/kernel/tracing", mounts)

# Only the init container that mounts bpffs on the host is privileged (Bidirectional needs it).
sc = agent["securityContext"]
check(not sc.get("privileged"), "the agent container is privileged")
check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation")
check({"BPF", "NET_ADMIN", "SYS_ADMIN", "PERFMON"} <= set(sc["capabilities"]["add"]), "capabilities")
check(sc["capabilities"]["drop"] == ["ALL"], "capabilities not dropped to the added ones")
ann = ds["spec"]["template"]["metadata"].get("annotations", {})
check(ann.get("container.apparmor.security.beta.kubernetes.io/xdpfleetd") == "unconfined",
      "AppArmor's default profile would forbid pinning in /sys/fs/bpf")
for init in pod.get("initContainers", []):
    im = {x["mountPath"]: x for x in init["volumeMounts"]}
    check(im["/sys/fs/bpf"]["mountPropagation"] == "Bidirectional", "init bpffs mount must propagate")
    check(init["securityContext"].get("privileged") is True, "Bidirectional needs a privileged init")
    check("mount -t bpf bpf /sys/fs/bpf" in " ".join(init["command"]), "init does not mount bpffs")

ports = {p["name"]: p["containerPort"] for p in agent["ports"]}
check(ports.get("grpc") == 50051 and ports.get("health") == 50052 and ports.get("metrics") == 9477,
      f"container ports {ports}")
for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
    check(agent[probe].get("grpc", {}).get("port") == 50052, f"{probe} is not gRPC on the health port 50052")
res = agent["resources"]
for part in ("requests", "limits"):
    check({"cpu", "memory"} <= set(res[part]), f"resources.{part} lacks cpu or memory")
check(agent["args"] == ["--config", "/etc/xdpfleet/agent.conf"], f"args {agent['args']}")
for c in pod["containers"] + pod.get("initContainers", []):
    check(c["image"].endswith(":" + version), f"{c['name']} image {c['image']} is not version {version}")

# The ConfigMap's agent.conf: mounted where --config reads it, and agreeing with the pod.
cm = docs["ConfigMap"][0][1]
m = mounts["/etc/xdpfleet"]
check(volumes[m["name"]]["configMap"]["name"] == cm["metadata"]["name"], "ConfigMap not mounted at /etc/xdpfleet")
conf = {}
for line in cm["data"]["agent.conf"].splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        k, _, v = line.partition("=")
        conf.setdefault(k.strip(), []).append(v.strip())
check(conf["bpffs"] == ["/sys/fs/bpf"] and conf["state-dir"] == ["/var/lib/xdpfleet"], "paths in agent.conf")
check({"[::]:50051", "0.0.0.0:50051"} & set(conf["listen"]), f"no listener on all addresses at 50051: {conf['listen']}")
unix = [a[len("unix:"):] for a in conf["listen"] if a.startswith("unix:")]
check(unix and all(os.path.dirname(u) in mounts for u in unix), "the unix socket's directory is not mounted")
check(conf["metrics-listen"][0].endswith(":9477"), "metrics-listen is not port 9477")
check(conf.get("health-listen", [""])[0].endswith(":50052"), "health-listen is not the probes' port 50052")
check("insecure" not in conf, "the API listener is plaintext (insecure) in agent.conf")
tls_dir = "/etc/xdpfleet/tls"
check(all(conf.get(k, [""])[0].startswith(tls_dir + "/") for k in ("tls-cert", "tls-key", "tls-client-ca")),
      "tls-cert, tls-key and tls-client-ca must be files of the mounted Secret")
check(tls_dir in mounts and "secret" in volumes[mounts[tls_dir]["name"]], "no Secret mounted at " + tls_dir)

svc = docs["Service"][0][1]
sp = {p["name"]: p for p in svc["spec"]["ports"]}
check(sp["metrics"]["port"] == 9477, "metrics Service port")
check(sp["metrics"]["targetPort"] in ("metrics", 9477), "metrics targetPort")
check(svc["spec"]["selector"].items() <= labels.items(), "the Service does not select the agent pods")
print("k8s_manifests: ok: DaemonSet, ConfigMap, Service, Namespace and kustomization")
