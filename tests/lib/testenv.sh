# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# testenv.sh: test hosts for xdpfleet end-to-end tests (sourced, bash): network namespaces joined
# to the root namespace by veth pairs, an xdpfleetd per host, traffic helpers; always torn down.
#
# Usage (as root):
#   source tests/lib/testenv.sh
#   tenv_init                 # run id, temp dir, subnet, cleanup trap
#   tenv_add_hosts 3          # namespaces + veths + addresses, hosts 1..3
#   tenv_start_agent 1        # xdpfleetd in host 1's namespace (unix socket + TCP)
#   tenv_start_root_agent     # xdpfleetd in the root namespace (host 0), for host-side veths
#   xf -H "$(tenv_sock 1)" attach "$(tenv_if 1)" --prog pass
# Binaries: $XDPFLEETD and $XDPFLEET, or $XF_BUILD_DIR/agent/xdpfleetd and $XF_BUILD_DIR/cli/xdpfleet.
#
# Layout of host I (1..63) of a run with id RID (4 hex digits) and subnet 198.(18+S/256).(S%256).0/24:
#   namespace xfRID-I; root-side veth xfRIDhI (198.x.y.4I+1/30, 2001:db8:S:I::1/64);
#   namespace-side veth xf0 (198.x.y.4I+2/30, 2001:db8:S:I::2/64), called the same in every
#   namespace so one CLI command can name it on all hosts. Neighbours are static: no ARP/ND noise.
#   Agent files under $TENV_DIR/hI: agent.sock, agent.log, bpffs/ (a bpffs instance mounted in the
#   root mount namespace, so pins outlive the agent process), state/, programs/.
# Host 0 is the root namespace (tenv_start_root_agent).

# Where runs register themselves, so a later run can clean up after one that was SIGKILLed.
TENV_REG=/run/xdpfleet-testenv
TENV_AGENT_PORT=${TENV_AGENT_PORT:-50051}
TENV_NS_IF=xf0

declare -a TENV_NS=() TENV_HIF=() TENV_AGENT_PID=() TENV_BG_PIDS=() TENV_CLEANUP_HOOKS=()
declare -a TENV_AGENT_ARGS=()
TENV_RID='' TENV_DIR='' TENV_SUBNET='' TENV_NHOSTS=0 TENV_DONE=0

tenv_log() { printf '[testenv %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
tenv_die() { tenv_log "FATAL: $*"; exit 1; }

# --- binaries --------------------------------------------------------------------------------

tenv__find_bins()
{
	local b=${XF_BUILD_DIR:-}
	: "${XDPFLEETD:=${b:+$b/agent/xdpfleetd}}"
	: "${XDPFLEET:=${b:+$b/cli/xdpfleet}}"
	export XDPFLEETD XDPFLEET
}

# Agents and the CLI are needed only by tests that start agents; the harness works without.
tenv__need_bins()
{
	[[ -x ${XDPFLEETD:-} ]] || tenv_die "set XDPFLEETD (or XF_BUILD_DIR) to the built xdpfleetd"
	[[ -x ${XDPFLEET:-} ]] || tenv_die "set XDPFLEET (or XF_BUILD_DIR) to the built xdpfleet"
}

# --- setup -----------------------------------------------------------------------------------

# tenv_init: checks root, picks a unique run id and subnet, makes the temp dir, installs the trap.
tenv_init()
{
	[[ $(id -u) == 0 ]] || { echo "SKIP: needs root" >&2; exit 77; }
	tenv__find_bins
	mkdir -p "$TENV_REG"
	tenv_gc
	tenv__pick_rid
	tenv__pick_subnet
	TENV_DIR=$(mktemp -d "/tmp/xf.$TENV_RID.XXXXXX")
	echo "$TENV_DIR" > "$TENV_REG/run-$TENV_RID/dir"
	trap 'tenv__on_exit' EXIT
	trap 'tenv__on_signal 130' INT
	trap 'tenv__on_signal 143' TERM
	trap 'tenv__on_signal 129' HUP
	tenv_log "run $TENV_RID in $TENV_DIR, subnet $(tenv__v4net).0/24"
}

# A run id is taken by creating its registry dir (mkdir is atomic) holding our pid.
tenv__pick_rid()
{
	local i
	for i in $(seq 50); do
		TENV_RID=$(od -An -N2 -tx2 /dev/urandom | tr -d ' \n')
		if mkdir "$TENV_REG/run-$TENV_RID" 2>/dev/null; then
			echo $$ > "$TENV_REG/run-$TENV_RID/pid"
			return 0
		fi
	done
	tenv_die "no free run id in $TENV_REG"
}

# One /24 of 198.18.0.0/15 per run (512 of them), locked in the registry, unused in the root ns.
tenv__pick_subnet()
{
	local i s
	for i in $(seq 100); do
		s=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 512 ))
		mkdir "$TENV_REG/net-$s" 2>/dev/null || continue
		TENV_SUBNET=$s
		if [[ -z $(ip -4 addr show to "$(tenv__v4net).0/24") ]]; then
			echo "$TENV_RID" > "$TENV_REG/net-$s/rid"
			echo "$s" > "$TENV_REG/run-$TENV_RID/net"
			return 0
		fi
		rmdir "$TENV_REG/net-$s"
	done
	tenv_die "no free /24 in 198.18.0.0/15"
}

tenv__v4net() { echo "198.$((18 + TENV_SUBNET / 256)).$((TENV_SUBNET % 256))"; }

# Addresses of host I: root side (.1 of its /30) and namespace side (.2).
tenv_host_ip() { echo "$(tenv__v4net).$((4 * $1 + 1))"; }
tenv_ns_ip() { echo "$(tenv__v4net).$((4 * $1 + 2))"; }
tenv_host_ip6() { printf '2001:db8:%x:%x::1\n' "$TENV_SUBNET" "$1"; }
tenv_ns_ip6() { printf '2001:db8:%x:%x::2\n' "$TENV_SUBNET" "$1"; }
tenv_ns() { echo "${TENV_NS[$1]}"; }
tenv_hif() { echo "${TENV_HIF[$1]}"; }
tenv_if() { echo "$TENV_NS_IF"; }
tenv_hdir() { echo "$TENV_DIR/h$1"; }
tenv_sock() { echo "unix:$TENV_DIR/h$1/agent.sock"; }
tenv_tcp() { echo "$(tenv_ns_ip "$1"):$TENV_AGENT_PORT"; }
tenv_mac() { ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].address'; }

# tenv_add_hosts N: hosts 1..N.
tenv_add_hosts()
{
	local i
	for ((i = 1; i <= $1; i++)); do
		tenv_add_host "$i"
	done
}

# tenv_add_host I: namespace, veth pair, addresses, static neighbours, lo up.
tenv_add_host()
{
	local i=$1 ns="xf$TENV_RID-$1" hif="xf${TENV_RID}h$1" tmp="xf${TENV_RID}n$1"
	((i >= 1 && i <= 63)) || tenv_die "host index $i not in 1..63"
	TENV_NS[i]=$ns TENV_HIF[i]=$hif
	((i > TENV_NHOSTS)) && TENV_NHOSTS=$i
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	tenv__link "$i"
	mkdir -p "$(tenv_hdir "$i")"/{state,programs,bpffs}
}

# The veth pair of host I with its addresses and neighbours.
tenv__link()
{
	local i=$1 ns=${TENV_NS[$1]} hif=${TENV_HIF[$1]} tmp="xf${TENV_RID}n$1"
	# Created under a unique temporary name, renamed once inside the namespace.
	ip link add "$hif" type veth peer name "$tmp"
	ip link set "$tmp" netns "$ns"
	ip -n "$ns" link set "$tmp" name "$TENV_NS_IF"
	# No DAD: addresses are usable at once, and no ND probes cross the link.
	ip addr add "$(tenv_host_ip "$i")/30" dev "$hif"
	ip addr add "$(tenv_host_ip6 "$i")/64" dev "$hif" nodad
	ip -n "$ns" addr add "$(tenv_ns_ip "$i")/30" dev "$TENV_NS_IF"
	ip -n "$ns" addr add "$(tenv_ns_ip6 "$i")/64" dev "$TENV_NS_IF" nodad
	ip link set "$hif" up
	ip -n "$ns" link set "$TENV_NS_IF" up
	tenv__static_neigh "$i"
}

# tenv_relink I: deletes host I's veth pair and creates it again (new interface indexes), as
# when an interface is deleted and recreated under an agent.
tenv_relink()
{
	ip -n "${TENV_NS[$1]}" link del "$TENV_NS_IF"
	tenv__link "$1"
}

# Permanent neighbour entries both ways, so pings are never held back by ARP/ND (which an
# XDP drop or abort program would also swallow) and counts see only the test's packets.
tenv__static_neigh()
{
	local i=$1 ns=${TENV_NS[$1]} hif=${TENV_HIF[$1]} hmac nmac
	hmac=$(tenv_mac "$hif")
	nmac=$(tenv_mac "$TENV_NS_IF" "$ns")
	ip neigh replace "$(tenv_ns_ip "$i")" lladdr "$nmac" dev "$hif" nud permanent
	ip neigh replace "$(tenv_ns_ip6 "$i")" lladdr "$nmac" dev "$hif" nud permanent
	ip -n "$ns" neigh replace "$(tenv_host_ip "$i")" lladdr "$hmac" dev "$TENV_NS_IF" nud permanent
	ip -n "$ns" neigh replace "$(tenv_host_ip6 "$i")" lladdr "$hmac" dev "$TENV_NS_IF" nud permanent
}

# tenv_no_ipv6 I: IPv6 off on both ends of host I's link, so nothing but the test's packets flows.
tenv_no_ipv6()
{
	sysctl -qw "net.ipv6.conf.${TENV_HIF[$1]}.disable_ipv6=1"
	ip netns exec "${TENV_NS[$1]}" sysctl -qw "net.ipv6.conf.$TENV_NS_IF.disable_ipv6=1"
}

# --- agents ----------------------------------------------------------------------------------

# bpffs instance of host I (0 = root namespace), mounted in the root mount namespace so that it
# survives agent restarts and kill -9 (a mount made inside `ip netns exec` dies with the process).
tenv__mount_bpffs()
{
	local d
	d="$(tenv_hdir "$1")/bpffs"
	mkdir -p "$d"
	mountpoint -q "$d" || mount -t bpf bpf "$d"
	echo "$d" >> "$TENV_REG/run-$TENV_RID/mounts"
}

# --- mTLS (set TENV_TLS=1 before starting agents) ---------------------------------------------

# One CA per run (deploy/pki/mkpki.sh), a server certificate per host (SAN: its namespace
# address) and a client certificate for the CLI.
TENV_PKI_TOOL=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/pki" && pwd)/mkpki.sh

# tenv_pki [MKPKI ARGS...]: runs mkpki.sh on the run's PKI directory (made on first use).
tenv_pki() { bash "$TENV_PKI_TOOL" --days 2 "$@"; }

tenv__pki()
{
	local pki="$TENV_DIR/pki"
	[[ -f $pki/client.pem ]] && return 0
	tenv_pki "$pki" client client xdpfleet-cli
}

# tenv_tls_args I: the agent's TLS flags for host I (its certificate made on first use).
tenv_tls_args()
{
	local pki="$TENV_DIR/pki"
	tenv__pki
	[[ -f $pki/h$1.pem ]] || tenv_pki "$pki" agent "h$1" "$(tenv_ns_ip "$1")"
	echo "--tls-cert $pki/h$1.pem --tls-key $pki/h$1.key --tls-client-ca $pki/ca.pem"
}

# tenv_cli_tls_args: the CLI's flags for mTLS to the agents (paths have no spaces: mktemp's).
tenv_cli_tls_args()
{
	local pki="$TENV_DIR/pki"
	tenv__pki
	echo "--tls-ca $pki/ca.pem --tls-cert $pki/client.pem --tls-key $pki/client.key"
}

# tenv_start_agent I [EXTRA_ARGS...]: xdpfleetd in host I's namespace, listening on its unix
# socket and on NS_IP:PORT (plaintext: tests only; mTLS when TENV_TLS=1); waits until it answers.
tenv_start_agent()
{
	local i=$1; shift
	local d
	local -a tls=(--insecure)
	d=$(tenv_hdir "$i")
	tenv__need_bins
	TENV_AGENT_ARGS[i]="$*"
	tenv__mount_bpffs "$i"
	# shellcheck disable=SC2207 # the flags are words without spaces
	[[ ${TENV_TLS:-0} == 1 ]] && tls=($(tenv_tls_args "$i"))
	rm -f "$d/agent.sock"
	ip netns exec "${TENV_NS[$i]}" "$XDPFLEETD" \
		--listen "unix:$d/agent.sock" --listen "$(tenv_tcp "$i")" "${tls[@]}" \
		--bpffs "$d/bpffs" --state-dir "$d/state" --program-dir "$d/programs" \
		--log-level debug "$@" >> "$d/agent.log" 2>&1 &
	tenv__track_agent "$i" $!
	tenv_wait_agent "$i"
}

# tenv_start_root_agent [EXTRA_ARGS...]: xdpfleetd in the root namespace as host 0 (unix socket
# only), to manage the root-side veths xfRIDhI.
tenv_start_root_agent()
{
	local d
	d=$(tenv_hdir 0)
	mkdir -p "$d"/{state,programs}
	tenv__need_bins
	TENV_AGENT_ARGS[0]="$*"
	tenv__mount_bpffs 0
	rm -f "$d/agent.sock"
	"$XDPFLEETD" --listen "unix:$d/agent.sock" \
		--bpffs "$d/bpffs" --state-dir "$d/state" --program-dir "$d/programs" \
		--log-level debug "$@" >> "$d/agent.log" 2>&1 &
	tenv__track_agent 0 $!
	tenv_wait_agent 0
}

tenv__track_agent()
{
	TENV_AGENT_PID[$1]=$2
	tenv__record_pid "$2"
}

# A zombie is dead too: a killed run's processes may wait a while for a reaper.
tenv__alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# Pids are recorded with their start time, so a later GC never kills a reused pid.
tenv__pid_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
tenv__record_pid() { echo "$1 $(tenv__pid_start "$1")" >> "$TENV_REG/run-$TENV_RID/pids"; }

# tenv_wait_agent I [SECONDS]: until `xdpfleet info` answers on the unix socket; dies with the
# agent's log if it exits or does not answer in time.
tenv_wait_agent()
{
	local i=$1 limit=$((${2:-10} * 10)) n pid=${TENV_AGENT_PID[$1]}
	for ((n = 0; n < limit; n++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$(tenv_hdir "$i")/agent.log" >&2
			tenv_die "agent $i (pid $pid) exited during startup"
		fi
		if [[ -S $(tenv_hdir "$i")/agent.sock ]] &&
		   timeout 5 "$XDPFLEET" -H "$(tenv_sock "$i")" --timeout 2 info >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	tail -n 30 "$(tenv_hdir "$i")/agent.log" >&2
	tenv_die "agent $i (pid $pid) did not answer within ${2:-10}s"
}

# tenv_stop_agent I: SIGTERM (graceful), SIGKILL after 5 s.
tenv_stop_agent()
{
	local pid=${TENV_AGENT_PID[$1]:-} n
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((n = 0; n < 50; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	TENV_AGENT_PID[$1]=''
}

# tenv_kill9_agent I: SIGKILL, no chance to clean up (the crash case).
tenv_kill9_agent()
{
	local pid=${TENV_AGENT_PID[$1]:-}
	[[ -n $pid ]] || return 0
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	TENV_AGENT_PID[$1]=''
}

# tenv_restart_agent I: stop if running, start again with the same arguments, state and pins.
tenv_restart_agent()
{
	local i=$1
	local -a args
	read -ra args <<< "${TENV_AGENT_ARGS[i]:-}"
	tenv_stop_agent "$i"
	if ((i == 0)); then
		tenv_start_root_agent "${args[@]}"
	else
		tenv_start_agent "$i" "${args[@]}"
	fi
}

tenv_agent_alive() { [[ -n ${TENV_AGENT_PID[$1]:-} ]] && kill -0 "${TENV_AGENT_PID[$1]}" 2>/dev/null; }

# tenv_bg CMD...: runs CMD (a program, not a function) in the background in its own process
# group, killed with all its children at teardown (trafgen's sender is a forked child that
# outlives its parent); the pid (= process group id) is in TENV_LAST_PID.
tenv_bg()
{
	setsid "$@" &
	TENV_LAST_PID=$!
	TENV_BG_PIDS+=("$TENV_LAST_PID")
	tenv__record_pid "$TENV_LAST_PID"
}

# SIGKILL to PID's process group if it leads one (tenv_bg's), and to PID itself.
tenv__kill_group()
{
	[[ $(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ') == "$1" ]] && kill -KILL -- "-$1" 2>/dev/null
	kill -KILL "$1" 2>/dev/null || true
}

# tenv_on_cleanup CMD: run CMD (a string, eval'd) at teardown, before namespaces go away.
tenv_on_cleanup() { TENV_CLEANUP_HOOKS+=("$1"); }

# --- teardown --------------------------------------------------------------------------------

tenv__on_signal()
{
	tenv_log "signal: tearing down"
	tenv_teardown
	trap - EXIT
	exit "$1"
}

tenv__on_exit()
{
	local rc=$?
	tenv_teardown
	exit "$rc"
}

# tenv_teardown: idempotent, never fails; safe from traps.
tenv_teardown()
{
	((TENV_DONE)) && return 0
	TENV_DONE=1
	# A second Ctrl-C (or a timeout's signal) must not cut the teardown short.
	trap '' INT TERM HUP
	set +e
	local h pid
	for h in "${TENV_CLEANUP_HOOKS[@]}"; do eval "$h"; done
	for pid in "${TENV_BG_PIDS[@]}"; do tenv__kill_group "$pid"; wait "$pid" 2>/dev/null; done
	for h in "${!TENV_AGENT_PID[@]}"; do tenv_stop_agent "$h"; done
	[[ -n $TENV_RID ]] && tenv__remove_run "$TENV_RID"
	[[ -n $TENV_DIR && -d $TENV_DIR ]] && rm -rf "$TENV_DIR"
	set -e
	return 0
}

# tenv__remove_run RID: everything run RID made, found by name and in its registry dir.
tenv__remove_run()
{
	local rid=$1 reg="$TENV_REG/run-$1" ns link m pid start dir net
	if [[ -f $reg/pids ]]; then
		while read -r pid start; do
			# Only processes this run started, and only if the pid was not reused since.
			[[ -n $start && $(tenv__pid_start "$pid") == "$start" ]] && tenv__kill_group "$pid"
		done < "$reg/pids"
	fi
	for ns in $(ip netns list | awk '{print $1}' | grep "^xf$rid-"); do
		ip netns del "$ns"
	done
	for link in $(ip -br link | awk '{print $1}' | sed 's/@.*//' | grep "^xf${rid}[hn]"); do
		ip link del "$link" 2>/dev/null
	done
	if [[ -f $reg/mounts ]]; then
		while read -r m; do
			mountpoint -q "$m" && umount -l "$m"
		done < <(sort -u "$reg/mounts")
	fi
	dir=$(cat "$reg/dir" 2>/dev/null)
	[[ $dir == /tmp/xf.$rid.* ]] && rm -rf "$dir"
	net=$(cat "$reg/net" 2>/dev/null)
	[[ -n $net ]] && rm -rf "$TENV_REG/net-$net"
	rm -rf "$reg"
}

# tenv_gc: removes what runs killed with SIGKILL (e.g. by a ctest timeout) left behind.
tenv_gc()
{
	local reg pid
	for reg in "$TENV_REG"/run-*; do
		[[ -d $reg ]] || continue
		pid=$(cat "$reg/pid" 2>/dev/null)
		[[ -n $pid ]] && tenv__alive "$pid" && continue
		tenv_log "cleaning up stale run ${reg##*/run-}"
		tenv__remove_run "${reg##*/run-}" || true
	done
}

# --- traffic ---------------------------------------------------------------------------------

# tenv_udp_conf FILE SRC_MAC DST_MAC SRC_IP DST_IP FRAME_LEN: a trafgen config of one IPv4/UDP
# frame of exactly FRAME_LEN bytes (Ethernet header included, no FCS), to the discard port.
tenv_udp_conf()
{
	local pay=$(($6 - 14 - 20 - 8))
	((pay >= 0)) || tenv_die "frame length $6 too short for UDP"
	cat > "$1" <<-EOF
	{
	  eth(da=$3, sa=$2, type=0x0800),
	  ipv4(saddr=$4, daddr=$5, ttl=64, proto=17),
	  udp(sp=40000, dp=9),
	  fill(0x58, $pay)
	}
	EOF
}

# tenv_trafgen I N FRAME_LEN [TRAFGEN_ARGS...]: sends exactly N UDP frames from the root side
# into host I's namespace (they arrive on its xf0). Output goes to $TENV_DIR/trafgen.log.
tenv_trafgen()
{
	tenv__trafgen_cmd "$@"
	timeout "${TENV_TRAFGEN_TIMEOUT:-60}" "${TENV_CMD[@]}" >> "$TENV_DIR/trafgen.log" 2>&1
}

# tenv_trafgen_bg I N FRAME_LEN [TRAFGEN_ARGS...]: the same in the background (pid TENV_LAST_PID).
tenv_trafgen_bg()
{
	tenv__trafgen_cmd "$@"
	tenv_bg "${TENV_CMD[@]}" >> "$TENV_DIR/trafgen.log" 2>&1
}

# Sets TENV_CMD to the trafgen command line (after writing its config).
tenv__trafgen_cmd()
{
	local i=$1; shift
	tenv__trafgen_src_cmd "$i" "$(tenv_host_ip "$i")" "$@"
}

# tenv__trafgen_src_cmd I SRC_IP N FRAME_LEN [TRAFGEN_ARGS...]: TENV_CMD for frames from SRC_IP.
tenv__trafgen_src_cmd()
{
	local i=$1 src=$2 n=$3 len=$4; shift 4
	local conf="$TENV_DIR/udp-$i-$src-$len.cfg"
	tenv_udp_conf "$conf" "$(tenv_mac "${TENV_HIF[$i]}")" \
		"$(tenv_mac "$TENV_NS_IF" "${TENV_NS[$i]}")" "$src" "$(tenv_ns_ip "$i")" "$len"
	TENV_CMD=(trafgen --dev "${TENV_HIF[$i]}" --conf "$conf" -n "$n" --cpus 1 "$@")
}

# tenv_trafgen_from I SRC_IP N FRAME_LEN [TRAFGEN_ARGS...]: like tenv_trafgen, but the frames
# carry source address SRC_IP (any address: crafted, nothing needs to own it), so one veth can
# play several senders. tenv_trafgen_from_bg: the same in the background (pid TENV_LAST_PID).
tenv_trafgen_from()
{
	tenv__trafgen_src_cmd "$@"
	timeout "${TENV_TRAFGEN_TIMEOUT:-60}" "${TENV_CMD[@]}" >> "$TENV_DIR/trafgen.log" 2>&1
}

tenv_trafgen_from_bg()
{
	tenv__trafgen_src_cmd "$@"
	tenv_bg "${TENV_CMD[@]}" >> "$TENV_DIR/trafgen.log" 2>&1
}

# tenv_spare_ip N: address .N (200..254) of the run's /24, used by no host: a source address
# that is this run's alone, for crafted frames and rules.
tenv_spare_ip()
{
	(($1 >= 200 && $1 <= 254)) || tenv_die "spare address .$1 not in 200..254"
	echo "$(tenv__v4net).$1"
}

# Link counters: packets received on xf0 in host I's namespace, sent by its root-side veth.
tenv_ns_rx() { ip -n "${TENV_NS[$1]}" -s -j link show dev "$TENV_NS_IF" | jq '.[0].stats64.rx.packets'; }
tenv_ns_rx_bytes() { ip -n "${TENV_NS[$1]}" -s -j link show dev "$TENV_NS_IF" | jq '.[0].stats64.rx.bytes'; }
tenv_host_tx() { ip -s -j link show dev "${TENV_HIF[$1]}" | jq '.[0].stats64.tx.packets'; }

# What reached host I's IP stack (past XDP: veth's link counters count frames before XDP
# judges them): an nft table "xftenv" in its namespace counts IPv4 packets per source address
# at prerouting (priority raw), before routing or rp_filter can discard anything.
# tenv_stack_count_src I SRC_IP...: counters for these sources (call once per host, before use).
tenv_stack_count_src()
{
	local i=$1 src cmds; shift
	cmds="add table ip xftenv
add chain ip xftenv pre { type filter hook prerouting priority -300; policy accept; }"
	for src in "$@"; do
		cmds+="
add counter ip xftenv c_${src//./_}
add rule ip xftenv pre ip saddr $src counter name c_${src//./_}"
	done
	ip netns exec "${TENV_NS[$i]}" nft -f - <<< "$cmds"
}

# tenv_stack_rx I SRC_IP: packets from SRC_IP that reached host I's stack (see above).
tenv_stack_rx()
{
	ip netns exec "${TENV_NS[$1]}" nft -j list counter ip xftenv "c_${2//./_}" |
		jq -e '[.nftables[] | select(.counter) | .counter.packets] | first'
}

# tenv_ping_from_ns I [PING_ARGS...]: from host I's namespace to its root-side address.
tenv_ping_from_ns() { local i=$1; shift; ip netns exec "${TENV_NS[$i]}" ping -n -q "$@" "$(tenv_host_ip "$i")"; }
# tenv_ping_to_ns I [PING_ARGS...]: from the root namespace to host I's namespace address.
tenv_ping_to_ns() { local i=$1; shift; ping -n -q "$@" "$(tenv_ns_ip "$i")"; }

# XDP program id on a link ("" if none): tenv_xdp_id IFACE [NS].
tenv_xdp_id() { ip ${2:+-n "$2"} -j -d link show dev "$1" | jq -r '.[0].xdp.prog.id // empty'; }

# --- CLI helpers -----------------------------------------------------------------------------

# xf ARGS...: the CLI, bounded in time.
xf() { timeout 60 "$XDPFLEET" "$@"; }

# xf_stats TARGET [IFACE]: `stats -o json` of one target.
xf_stats() { xf -H "$1" -o json stats ${2:+"$2"}; }

# xf_counter TARGET IFACE ACTION FIELD: packets or bytes of one action (XDP_PASS ...) on IFACE.
xf_counter()
{
	xf_stats "$1" "$2" | jq -er --arg i "$2" --arg a "$3" --arg f "$4" \
		'.[0].interfaces[] | select(.ifname == $i) | .actions[] | select(.action == $a) | .[$f]'
}

# xf_exceptions TARGET IFACE ACTION: the xdp_exception count of one action on IFACE.
xf_exceptions()
{
	xf_stats "$1" "$2" | jq -er --arg i "$2" --arg a "$3" \
		'.[0].interfaces[] | select(.ifname == $i) | .exceptions[] | select(.action == $a) | .count'
}

# --- assertions ------------------------------------------------------------------------------

TENV_FAILS=0
tenv_ok() { printf 'ok: %s\n' "$*"; }
tenv_fail() { printf 'FAIL: %s\n' "$*"; TENV_FAILS=$((TENV_FAILS + 1)); }
# check DESCRIPTION CMD...: records a pass or a failure, goes on either way. CMD's output is
# shown only when it fails.
check() { tenv__check "$@" || true; }
# require DESCRIPTION CMD...: like check, but stops the test on failure.
require() { tenv__check "$@" || exit 1; }

tenv__check()
{
	local d=$1 out="${TENV_DIR:-/tmp}/check.out"; shift
	if "$@" > "$out" 2>&1; then
		tenv_ok "$d"
	else
		tenv_fail "$d"
		sed 's/^/    | /' "$out"
		return 1
	fi
}
# tenv_finish: the test's exit status, with the one closing line ctest logs show.
tenv_finish()
{
	local log
	# Agents built with ASan/UBSan report into their logs: a report is a failure, even when
	# the behaviour checked looked right (agents still running are stopped first, so that
	# leaks at exit are reported too).
	for i in "${!TENV_AGENT_PID[@]}"; do tenv_stop_agent "$i"; done
	for log in "$TENV_DIR"/h*/agent.log; do
		[[ -f $log ]] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
			grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log" | head -40 >&2
			tenv_fail "a sanitizer reported an error in $log"
		fi
	done
	if ((TENV_FAILS)); then
		echo "RESULT: $TENV_FAILS check(s) failed"
		exit 1
	fi
	echo "RESULT: all checks passed"
	exit 0
}
