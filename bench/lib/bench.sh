# SPDX-License-Identifier: GPL-2.0-only
# bench.sh: the sections of bench/run (sourced after tests/lib/testenv.sh). Each section writes
# raw tab-separated samples into $raw/*.tsv; bench/lib/report.py turns them into medians,
# ratios, the target table and plots. Host 1 (namespace + veth) runs the agent under test.
# shellcheck shell=bash disable=SC2154,SC2153 # $raw, $src, $build, sizes: set by bench/run

now_ns() { date +%s%N; }
ms_since() { echo "scale=3; ($(now_ns) - $1) / 1000000" | bc; }

bench_loadavg() { echo -e "loadavg_$1\t$(cut -d' ' -f1-3 /proc/loadavg)"; }

bench_machine()
{
	echo -e "date\t$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo -e "kernel\t$(uname -r)"
	echo -e "cpu\t$(lscpu | sed -n 's/^Model name: *//p' | head -1) x $(nproc)"
	echo -e "memory\t$(free -g | awk '/^Mem/ {print $2}') GiB"
	echo -e "commit\t$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo -e "build\t$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
	echo -e "quick\t$quick"
	bench_loadavg start
}

# --- program cost ------------------------------------------------------------------------------

# rules_bench for the mixed set, then IPv4-only and IPv6-only sets (fewer rounds: they repeat
# what the mixed set measures, per family).
bench_prog()
{
	local fam rounds
	for fam in mixed 4 6; do
		rounds=$ROUNDS
		[[ $fam != mixed ]] && rounds=$(((ROUNDS + 1) / 2 | 1))
		blog "program cost: $fam set, $N_BIG rules, $rounds rounds"
		"$build/bench/rules_bench" --rules "$N_BIG" --mid "$N_MID" --repeat "$REPEAT" \
			--rounds "$rounds" --family "$fam" --tsv "$raw/prog-$fam.tsv" \
			> "$raw/prog-$fam.txt" 2> "$raw/prog-$fam.err" ||
			{ tail "$raw/prog-$fam.err" >&2; tenv_die "rules_bench --family $fam failed"; }
	done
}

# --- the agent: memory, loads, changes, restart ---------------------------------------------------

S1() { tenv_sock 1; }
agent_pid() { echo "${TENV_AGENT_PID[1]}"; }
NS1() { tenv_ns 1; }

# bench_mem WHEN: the agent's maps (memlock, per map) and VmRSS/RssAnon.
bench_mem()
{
	local pid
	pid=$(agent_pid)
	# The maps the agent holds open, by their fdinfo (bpftool's pid column needs its pid
	# iterator), named by bpftool; a map open twice counts once.
	local id
	# shellcheck disable=SC2013 # ids are numbers, one a line
	for id in $(awk '/^map_id:/ {print $2}' /proc/"$pid"/fdinfo/* 2>/dev/null | sort -un); do
		bpftool map show id "$id" -j | jq -r --arg w "$1" \
			'"map\t\($w)\t\(.name)\t\(.type)\t\(.bytes_memlock)"' >> "$raw/mem.tsv"
	done
	awk -v w="$1" '/^(VmRSS|RssAnon|RssFile|RssShmem):/ {print "rss\t" w "\t" $1 "\t" $2}' \
		"/proc/$pid/status" >> "$raw/mem.tsv"
	echo -e "rules\t$1\t$(rule_count)" >> "$raw/mem.tsv"
}

rule_count() { xf -H "$(S1)" -o json info | jq -r '.[0].rules // 0'; }

# One timed load per tool; the state is removed again after each (not timed).
load_xdpfleet()
{
	local t0 n
	t0=$(now_ns)
	xf -H "$(S1)" drop load "$1.txt" > /dev/null 2>> "$TENV_DIR/load.log"
	echo -e "load\txdpfleet drop load\t$2\t$(ms_since "$t0")" >> "$raw/load.tsv"
	n=$(rule_count)
	((n > 0)) || tenv_die "drop load left $n rules"
	[[ ${3:-} == keep ]] || xf -H "$(S1)" rules flush > /dev/null
}

load_nft()
{
	local t0
	t0=$(now_ns)
	ip netns exec "$(NS1)" nft -f "$1.nft"
	echo -e "load\tnft -f (interval sets)\t$2\t$(ms_since "$t0")" >> "$raw/load.tsv"
	ip netns exec "$(NS1)" nft delete table inet xfbench
}

load_ipset()
{
	local t0
	t0=$(now_ns)
	ip netns exec "$(NS1)" ipset restore -exist -f "$1.ipset"
	echo -e "load\tipset restore (hash:net)\t$2\t$(ms_since "$t0")" >> "$raw/load.tsv"
	ip netns exec "$(NS1)" ipset destroy xfb4
	ip netns exec "$(NS1)" ipset destroy xfb6
}

# Single changes at the big rule set: CLI round trips (process start included), add then delete.
bench_changes()
{
	local i t0 p
	for ((i = 1; i <= LAT_N; i++)); do
		p="192.0.2.$i/32"
		t0=$(now_ns)
		xf -H "$(S1)" drop add "$p" > /dev/null
		echo -e "change\tadd\t$(ms_since "$t0")" >> "$raw/change.tsv"
		t0=$(now_ns)
		xf -H "$(S1)" rules del "$p" > /dev/null
		echo -e "change\tdel\t$(ms_since "$t0")" >> "$raw/change.tsv"
	done
	# The CLI alone: a read-only round trip, what a change costs without the change.
	for ((i = 1; i <= LAT_N; i++)); do
		t0=$(now_ns)
		xf -H "$(S1)" info > /dev/null
		echo -e "change\tinfo (no change)\t$(ms_since "$t0")" >> "$raw/change.tsv"
	done
}

# Restart with the big set: SIGTERM, start, time until the agent answers with every rule back
# (polled every 20 ms).
bench_restart()
{
	local want=$1 r t0 n d
	d=$(tenv_hdir 1)
	for ((r = 0; r < RESTARTS; r++)); do
		tenv_stop_agent 1
		rm -f "$d/agent.sock"
		t0=$(now_ns)
		ip netns exec "$(NS1)" "$XDPFLEETD" --listen "unix:$d/agent.sock" --listen "$(tenv_tcp 1)" \
			--insecure --bpffs "$d/bpffs" --state-dir "$d/state" --program-dir "$d/programs" --log-level warning \
			>> "$d/agent.log" 2>&1 &
		tenv__track_agent 1 $!
		for ((n = 0; n < 1500; n++)); do
			[[ -S $d/agent.sock ]] && [[ $("$XDPFLEET" -H "$(S1)" --timeout 2 -o json info 2>/dev/null |
				jq -r '.[0].rules // 0') == "$want" ]] && break
			sleep 0.02
		done
		((n < 1500)) || tenv_die "agent not serving $want rules 30 s after a restart"
		# The agent's own CPU time until then (utime + stime): what the restart costs whatever
		# else the machine runs.
		echo -e "restart\t$want\t$(ms_since "$t0")\t$(awk -v hz="$(getconf CLK_TCK)" \
			'{printf "%.3f", ($14 + $15) / hz}' "/proc/${TENV_AGENT_PID[1]}/stat")" >> "$raw/restart.tsv"
	done
}

bench_agent()
{
	local r n
	xf -H "$(S1)" attach "$(tenv_if 1)" --prog filter > /dev/null
	sleep 1
	bench_mem "0 rules"
	for n in "$N_MID" "$N_BIG"; do
		blog "blocklist of $n prefixes"
		/usr/bin/python3 "$src/bench/lib/gen_prefixes.py" prefixes "$n" 7 "$TENV_DIR/p$n"
		echo -e "prefixes\t$n\t$(wc -l < "$TENV_DIR/p$n.txt")" >> "$raw/load.tsv"
	done
	for n in "$N_MID" "$N_BIG"; do
		for ((r = 0; r < LOAD_ROUNDS; r++)); do
			blog "loads of $n, round $((r + 1))/$LOAD_ROUNDS"
			# Rotated: each tool goes first in some round.
			case $(((r + (n == N_BIG)) % 3)) in
			0) load_xdpfleet "$TENV_DIR/p$n" "$n"; load_nft "$TENV_DIR/p$n" "$n"; load_ipset "$TENV_DIR/p$n" "$n" ;;
			1) load_nft "$TENV_DIR/p$n" "$n"; load_ipset "$TENV_DIR/p$n" "$n"; load_xdpfleet "$TENV_DIR/p$n" "$n" ;;
			2) load_ipset "$TENV_DIR/p$n" "$n"; load_xdpfleet "$TENV_DIR/p$n" "$n"; load_nft "$TENV_DIR/p$n" "$n" ;;
			esac
		done
	done
	load_xdpfleet "$TENV_DIR/p$N_BIG" "$N_BIG" keep
	n=$(rule_count)
	sleep 1
	bench_mem "$n rules"
	blog "single changes at $n rules"
	bench_changes
	blog "restarts at $n rules"
	bench_restart "$n"
	sleep 1
	bench_mem "$n rules, restarted"
	xf -H "$(S1)" rules flush > /dev/null
	sleep 1
	bench_mem "after flush"
	rm -f "$TENV_DIR"/p*
}

# --- RPC latency -----------------------------------------------------------------------------

bench_rpc()
{
	local c m
	for m in GetInfo GetStats; do
		for c in 1 16 1 16; do
			blog "RPC $m, $c clients"
			PYTHONPATH="$PYGEN:$src/tests/lib/python" /usr/bin/python3 "$src/bench/lib/rpc_lat.py" \
				"$(tenv_tcp 1)" "$c" "$((RPC_CALLS / (c == 16 ? 4 : 1)))" "$m" |
				awk '{print "rpc\t" $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5}' >> "$raw/rpc.tsv"
		done
	done
}

# --- veth + trafgen: CPU per packet ------------------------------------------------------------

# Busy jiffies (user..softirq) of CPU 0: trafgen --cpus 1 pins its sender there, and veth's
# receive (XDP, ingress, the stack) runs on the sending CPU.
cpu0_busy() { awk '$1 == "cpu0" {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# shellcheck disable=SC2016 # awk's $4
ns_ip_in() { ip netns exec "$(NS1)" awk '/^Ip: [0-9]/ {print $4}' /proc/net/snmp; }

veth_on()
{
	local ns
	ns=$(NS1)
	case $1 in
	xdp-drop) xf -H "$(S1)" attach xf0 --prog drop --force > /dev/null ;;
	filter-10k) xf -H "$(S1)" attach xf0 --prog filter --force > /dev/null ;;
	xdp-filter-10k)
		ip netns exec "$ns" bash -c "mount -t bpf bpf /sys/fs/bpf && xdp-filter load -p allow -m native -f ipv4 xf0 &&
			bpftool batch file $TENV_DIR/xdpf.batch" > "$TENV_DIR/xdpf.log" 2>&1 ||
			{ cat "$TENV_DIR/xdpf.log" >&2; tenv_die "xdp-filter load failed"; } ;;
	nft-ingress-10k) ip netns exec "$ns" nft -f "$TENV_DIR/ingress.nft" ;;
	iptables-raw-1k) ip netns exec "$ns" iptables-restore --noflush < "$TENV_DIR/raw.ipt" ;;
	esac
}

veth_off()
{
	local ns
	ns=$(NS1)
	case $1 in
	xdp-drop | filter-10k) xf -H "$(S1)" detach xf0 > /dev/null ;;
	xdp-filter-10k) ip -n "$ns" link set xf0 xdp off ;;
	nft-ingress-10k) ip netns exec "$ns" nft delete table netdev xfbench ;;
	iptables-raw-1k)
		ip netns exec "$ns" iptables -t raw -D PREROUTING -j XFBENCH
		ip netns exec "$ns" iptables -t raw -F XFBENCH
		ip netns exec "$ns" iptables -t raw -X XFBENCH ;;
	esac
}

# The rule sets: N_FILTER addresses of 198.19.0.0/16 (the traffic's source among them, last),
# the same for nft and xdp-filter; iptables gets N_IPT of them, one rule each.
veth_prepare()
{
	local run24 f="$TENV_DIR/hosts"
	run24=$(tenv__v4net)
	/usr/bin/python3 "$src/bench/lib/gen_prefixes.py" hosts "$N_FILTER" 198.19 "$run24" "$f"
	VETH_SRC=$(tail -1 "$f.txt")
	xf -H "$(S1)" rules flush > /dev/null
	xf -H "$(S1)" drop load "$f.txt" > /dev/null
	{
		echo "table netdev xfbench {"
		echo "  set s { type ipv4_addr; elements = { $(paste -sd, "$f.txt") } }"
		echo "  chain in { type filter hook ingress device xf0 priority 0; ip saddr @s counter drop; }"
		echo "}"
	} > "$TENV_DIR/ingress.nft"
	{
		echo "*raw"
		echo ":XFBENCH - [0:0]"
		tail -n "$N_IPT" "$f.txt" | sed 's/^/-A XFBENCH -s /; s/$/\/32 -j DROP/'
		echo "-I PREROUTING -j XFBENCH"
		echo "COMMIT"
	} > "$TENV_DIR/raw.ipt"
	awk '{split($1, a, "."); printf "map update pinned /sys/fs/bpf/xdp-filter/filter_ipv4 key %d %d %d %d value 1 0 0 0 0 0 0 0\n", a[1], a[2], a[3], a[4]}' \
		"$f.txt" > "$TENV_DIR/xdpf.batch"
	tenv_udp_conf "$TENV_DIR/veth.cfg" "$(tenv_mac "$(tenv_hif 1)")" "$(tenv_mac xf0 "$(NS1)")" \
		"$VETH_SRC" "$(tenv_ns_ip 1)" 64
}

veth_sample()
{
	local setup=$1 b0 b1 in0 in1 hz
	hz=$(getconf CLK_TCK)
	veth_on "$setup"
	sleep 0.2
	in0=$(ns_ip_in)
	b0=$(cpu0_busy)
	timeout 120 trafgen --dev "$(tenv_hif 1)" --conf "$TENV_DIR/veth.cfg" \
		-n "$VETH_PKTS" --cpus 1 >> "$TENV_DIR/trafgen.log" 2>&1
	b1=$(cpu0_busy)
	sleep 0.2
	in1=$(ns_ip_in)
	veth_off "$setup"
	echo -e "veth\t$setup\t$(echo "scale=1; ($b1 - $b0) * 1000000000 / $hz / $VETH_PKTS" | bc)\t$((in1 - in0))\t$VETH_PKTS" \
		>> "$raw/veth.tsv"
}

bench_veth()
{
	local setups=(xdp-drop filter-10k xdp-filter-10k nft-ingress-10k iptables-raw-1k) r k n=5
	blog "veth: preparing $N_FILTER-address sets"
	veth_prepare
	for ((r = 0; r < VETH_ROUNDS; r++)); do
		for ((k = 0; k < n; k++)); do
			blog "veth round $((r + 1))/$VETH_ROUNDS: ${setups[(k + r) % n]}"
			veth_sample "${setups[(k + r) % n]}"
		done
	done
	xf -H "$(S1)" rules flush > /dev/null
}

# --- stats fan-out -----------------------------------------------------------------------------

# FAN_MAX agents in the root namespace on loopback ports (each its own bpffs and state, no
# interface), then `xdpfleet stats` to 1, 10 and FAN_MAX of them, rotated.
bench_fanout()
{
	local base k d hosts=() r c counts=(1 "$FAN_MID" "$FAN_MAX") t0
	base=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
	blog "fan-out: starting $FAN_MAX agents on 127.0.0.1:$((base + 1))..$((base + FAN_MAX))"
	for ((k = 1; k <= FAN_MAX; k++)); do
		d="$TENV_DIR/fan$k"
		mkdir -p "$d"/{state,bpffs}
		mount -t bpf bpf "$d/bpffs"
		echo "$d/bpffs" >> "$TENV_REG/run-$TENV_RID/mounts"
		tenv_bg "$XDPFLEETD" --listen "127.0.0.1:$((base + k))" --insecure --bpffs "$d/bpffs" \
			--state-dir "$d/state" > "$d/agent.log" 2>&1
		hosts+=("127.0.0.1:$((base + k))")
	done
	for ((k = 0; k < FAN_MAX; k++)); do
		for ((r = 0; r < 200; r++)); do
			"$XDPFLEET" -H "${hosts[k]}" --insecure --timeout 1 info > /dev/null 2>&1 && break
			sleep 0.05
		done
		((r < 200)) || tenv_die "fan-out agent ${hosts[k]} did not answer"
	done
	for ((r = 0; r < FAN_ROUNDS; r++)); do
		for k in 0 1 2; do
			c=${counts[(k + r) % 3]}
			t0=$(now_ns)
			"$XDPFLEET" -H "$(IFS=,; echo "${hosts[*]:0:c}")" --insecure -o json stats > "$TENV_DIR/fan.json"
			echo -e "fanout\t$c\t$(ms_since "$t0")\t$(jq length "$TENV_DIR/fan.json")" >> "$raw/fanout.tsv"
		done
	done
	for pid in "${TENV_BG_PIDS[@]}"; do tenv__kill_group "$pid"; wait "$pid" 2>/dev/null || true; done
	TENV_BG_PIDS=()
}
