#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e metrics_prometheus: Debian's prometheus scrapes an agent's --metrics-listen every second
# while trafgen sends exactly N frames through the filter, one monitor rule with a comment
# counting them; Prometheus' query API must then give exactly N for both the interface's
# XDP_PASS packets and the rule's hits, and promtool must accept the page. Prometheus runs in
# the agent's namespace and scrapes its loopback, so that scrapes never cross the filtered veth.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/testenv.sh
source "$here/../lib/testenv.sh"

N=20000 LEN=120 MPORT=9477

command -v prometheus > /dev/null || tenv_die "prometheus is not installed (apt-get install prometheus)"
tenv_init
tenv_add_hosts 1
tenv_no_ipv6 1
NS=$(tenv_ns 1) MADDR="127.0.0.1:$MPORT"
in_ns() { ip netns exec "$NS" "$@"; }
tenv_start_agent 1 --metrics-listen "$MADDR" --metrics-rules 10
T=$(tenv_sock 1) IF=$(tenv_if 1) SRC=$(tenv_host_ip 1)

require "attach filter on $IF" xf -H "$T" attach "$IF" --prog filter
require "monitor add $SRC with a comment" xf -H "$T" monitor add "$SRC" --comment 'lab "sender"'
require "an uncommented drop rule too" xf -H "$T" drop add 198.18.250.0/24

page="$TENV_DIR/metrics.txt"
require "GET /metrics answers" in_ns curl -sf -o "$page" "http://$MADDR/metrics"
check "promtool check metrics accepts the page" promtool check metrics < "$page"
check "the page names the version" grep -q '^xdpfleet_build_info{version="' "$page"
check "one rule of each: monitor 1, drop 1" \
	bash -c "grep -qx 'xdpfleet_rules{action=\"monitor\"} 1' '$page' && grep -qx 'xdpfleet_rules{action=\"drop\"} 1' '$page'"
check "the attachment is up" grep -qx "xdpfleet_attachment_up{interface=\"$IF\"} 1" "$page"
check "the comment's quotes are escaped" grep -q 'comment="lab \\"sender\\""' "$page"
check "AddRules calls are counted" grep -q 'xdpfleet_rpc_calls_total{service="xdpfleet.v1.Agent",method="AddRules",code="OK"} 2' "$page"
check "other paths answer 404" test "$(in_ns curl -s -o /dev/null -w '%{http_code}' "http://$MADDR/")" = 404
check "POST answers 405" test "$(in_ns curl -s -o /dev/null -w '%{http_code}' -X POST "http://$MADDR/metrics")" = 405

# Prometheus on the namespace's loopback.
PPORT=$((20000 + RANDOM % 20000))
pdir="$TENV_DIR/prometheus"
mkdir -p "$pdir/data"
cat > "$pdir/prometheus.yml" <<-CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xdpfleetd
    static_configs:
      - targets: ["$MADDR"]
CONF
check "promtool check config accepts ours" promtool check config "$pdir/prometheus.yml"
tenv_bg ip netns exec "$NS" prometheus --config.file="$pdir/prometheus.yml" --storage.tsdb.path="$pdir/data" \
	--web.listen-address="127.0.0.1:$PPORT" > "$pdir/log" 2>&1

# query PROMQL: the single value of an instant query, or nothing.
query()
{
	in_ns curl -sf --get "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty'
}
# shellcheck disable=SC2317 # called through check
await_value() # PROMQL WANT: until the query gives WANT (30 s)
{
	local got=""
	for _ in $(seq 150); do
		got=$(query "$1" 2> /dev/null || true)
		[[ $got == "$2" ]] && return 0
		sleep 0.2
	done
	echo "last value: '${got}'"
	return 1
}

pass="xdpfleet_packets_total{interface=\"$IF\",action=\"pass\"}"
hits="xdpfleet_rule_hits_total{comment=\"lab \\\"sender\\\"\"}"
require "Prometheus scrapes the agent (up == 1)" await_value "up{job=\"xdpfleetd\"}" 1
bytes="xdpfleet_bytes_total{interface=\"$IF\",action=\"pass\"}"
before=$(query "$pass") bytes_before=$(query "$bytes")
require "a pass count before the traffic" test -n "$before"

require "trafgen sent $N frames from $SRC" tenv_trafgen 1 $N $LEN
check "Prometheus reads exactly $N more passed packets" await_value "$pass - $before" "$N"
check "and exactly $N hits of the commented monitor rule" await_value "$hits" "$N"
check "and exactly $((N * LEN)) more bytes" await_value "$bytes - $bytes_before" "$((N * LEN))"
check "the counts agree with the CLI's" test "$(($(xf_counter "$T" "$IF" XDP_PASS packets) - before))" -eq "$N"

tenv_finish
