# SPDX-License-Identifier: GPL-2.0-only
# deploy/Containerfile: a build stage and a slim Debian 12 runtime stage taking the .deb from it,
# ENTRYPOINT xdpfleetd with the packaged config, the API and metrics ports exposed; its build
# packages are ones .ci/setup installs, and the sources it copies are enough to configure the
# project the way its build stage does (checked by running that configure here).
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

src = os.environ["XF_SOURCE_DIR"]


def fail(msg):
    print(f"containerfile: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


# Instructions, with continuation lines joined and comments dropped.
text = open(os.path.join(src, "deploy", "Containerfile")).read()
lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
joined = re.sub(r"\\\n", " ", "\n".join(lines))
instrs = [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln.strip() else "")
          for ln in joined.splitlines() if ln.strip()]

stages, current = [], None
for op, arg in instrs:
    if op == "FROM":
        current = {"from": arg, "ops": []}
        stages.append(current)
    else:
        check(current is not None, f"{op} before the first FROM")
        current["ops"].append((op, arg))
check(len(stages) >= 2, "not multi-stage")
build, runtime = stages[0], stages[-1]
check(re.fullmatch(r"debian:(12|bookworm)(\S*)? AS build", build["from"]), f"build stage: FROM {build['from']}")
check(re.fullmatch(r"debian:(12|bookworm)-slim", runtime["from"]), f"runtime stage: FROM {runtime['from']}")


def ops(stage, name):
    return [a for o, a in stage["ops"] if o == name]


entry = json.loads(ops(runtime, "ENTRYPOINT")[-1])
check(os.path.basename(entry[0]) == "xdpfleetd", f"ENTRYPOINT {entry}")
check(json.loads(ops(runtime, "CMD")[-1]) == ["--config", "/etc/xdpfleet/agent.conf"], "CMD is not the packaged config")
exposed = {p.split("/")[0] for a in ops(runtime, "EXPOSE") for p in a.split()}
check({"50051", "50052", "9477"} <= exposed, f"EXPOSE {sorted(exposed)}")
check(any(a.startswith("--from=build") and ".deb" in a for a in ops(runtime, "COPY")), "the runtime stage does not take the .deb")
check(any("apt-get install" in a and ".deb" in a for a in ops(runtime, "RUN")), "the .deb is not installed with apt")
check(not any("-dev" in w for a in ops(runtime, "RUN") for w in a.split()), "development packages in the runtime stage")

# Build packages: all of them known to .ci/setup, the list CI proves sufficient.
setup = open(os.path.join(src, ".ci", "setup")).read()
setup_pkgs = set(re.search(r"packages=\((.*?)\)", setup, re.S).group(1).split())
words = " ".join(ops(build, "RUN")).split()
i = words.index("--no-install-recommends")
pkgs = []
for w in words[i + 1:]:
    if w in ("&&", "\\"):
        break
    pkgs.append(w)
check(pkgs, "no build packages found")
unknown = sorted(set(pkgs) - setup_pkgs)
check(not unknown, f"build packages .ci/setup does not install: {unknown}")

# Copy what the build stage copies into an empty tree and configure it as the stage does.
with tempfile.TemporaryDirectory(prefix="xf-containerfile.") as tmp:
    ctx = os.path.join(tmp, "src")
    os.mkdir(ctx)
    for arg in ops(build, "COPY"):
        parts = shlex.split(arg)
        check(not parts[0].startswith("--"), f"COPY {arg}: options in the build stage")
        *sources, dest = parts
        for s in sources:
            path = os.path.join(src, s.rstrip("/"))
            check(os.path.exists(path), f"COPY {s}: not in the source tree")
            target = os.path.join(ctx, dest if dest not in ("./", ".") else os.path.basename(path))
            if os.path.isdir(path):
                shutil.copytree(path, target, ignore=shutil.ignore_patterns("build*"))
            else:
                shutil.copy(path, target)
    run = " ".join(ops(build, "RUN"))
    m = re.search(r"cmake -S \. -B /build ((?:-D\S+ ?)+)", run)
    check(m, "no 'cmake -S . -B /build -D...' in the build stage")
    flags = m.group(1).split()
    check("-DXDPFLEET_TESTS=OFF" in flags, "the image build compiles the tests")
    r = subprocess.run(["cmake", "-S", ctx, "-B", os.path.join(tmp, "build"), *flags],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0, "configuring the copied sources failed:\n" + r.stdout[-3000:])
print(f"containerfile: ok: {len(stages)} stages, {len(pkgs)} build packages, the copied sources configure")
