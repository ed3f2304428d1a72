#!/bin/bash
# latebind exporter end to end: Prometheus metrics of a VXLAN pool, read by
# curl, linted by promtool and scraped by Debian's own Prometheus server.
#
#   netns H ("host")                                  netns V ("vpc")
#   exporter 127.0.0.1:27746 (the default)            exporter [::1]:27747
#   prometheus 127.0.0.1:9090, scraping it every 1 s    (no pool here: none seen)
#   lb0 .. lb3  dummy VNIs (the pool)                 vx100: stock VXLAN, VNI 100
#   192.168.30.1 on lb0                                 192.168.30.2
#   ulh 10.30.0.1/24 ========= veth ================= ulv 10.30.0.2/24
#
#  1 the series of a fresh pool, promtool clean
#  2 traffic through lb0 raises lb0's counters, as `latebind stats` reads them
#  3 an unbound tunnel's packets raise drops{reason="unbound"}
#  4 HTTP: 404, 405, 400, 431, HEAD; slow clients block no scrape
#  5 bad input refused; IPv6; another namespace sees its own pools; SIGTERM
#  6 Prometheus scrapes it; its API shows lb0's counter rising after traffic
#  7 its unit passes systemd-analyze verify; its ExecStart runs as the unit
#    confines it (read-only /sys/fs/bpf, its capability bounding set)
# shellcheck disable=SC2034 # read by summary (tests/lib/results.sh)
SUITE=exporter
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=SCRIPTDIR/../lib/prometheus.sh
. "$(dirname "$0")/../lib/prometheus.sh"

T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	cleanup_netns
	rm -rf "$T"
}
trap cleanup EXIT

lab() {
	host_vpc_lab 10.30.0 || return 1
	ip -n "$V" link add vx100 type vxlan id 100 remote 10.30.0.1 dstport 4789 dev ulv
	ip -n "$V" addr add 192.168.30.2/24 dev vx100
	ip -n "$V" link set vx100 up
}

# get NS URL [CURL ARGS]: the body of a GET, or fail.
get() {
	local ns=$1 url=$2
	shift 2
	in_ns "$ns" curl -sf --max-time 10 "$@" "$url"
}
metrics() { get "$H" http://127.0.0.1:27746/metrics; }
# value METRICS SERIES: the value of one series (exact name and labels).
value() { awk -v s="$2" '$1 == s { print $2 }' <<<"$1"; }
# status NS URL [CURL ARGS]: the HTTP status code.
status() {
	local ns=$1 url=$2
	shift 2
	in_ns "$ns" curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}
# has TEXT LINE: TEXT has LINE, exactly.
has() { grep -qxF -- "$2" <<<"$1"; }
# raw REQUEST: send REQUEST (printf format) to the exporter in H as it is;
# print the whole answer.
raw() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_ns "$H" timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/27746; printf "$1" >&3; cat <&3' _ "$1"
}
# headers METHOD PATH: the answer's header lines (with their CR).
headers() { raw "$1 $2 HTTP/1.1\r\nHost: x\r\n\r\n" | sed '/^\r$/q'; }
# wait_http NS URL: until it answers 200, at most 30 s.
wait_http() {
	for _ in $(seq 300); do
		[ "$(status "$1" "$2")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

lab || { fail "lab"; summary; exit 1; }
"$CLI" -n "$H" pool create dev ulh type vxlan remote 10.30.0.2 count 4 >/dev/null ||
	fail "pool create"
ip -n "$H" addr add 192.168.30.1/24 dev lb0
ip -n "$H" addr add 192.168.31.1/24 dev lb1

"$CLI" -n "$H" exporter 2>"$T/exporter.err" &
EXPORTER=$!
PIDS+=("$EXPORTER")
check "the exporter answers on 127.0.0.1:27746 in H" wait_http "$H" http://127.0.0.1:27746/metrics

# ---- 1. a fresh pool --------------------------------------------------------------
M=$(metrics)
lb0='{pool="ulh",tunnel="lb0"}'
check "Content-Type is the text format 0.0.4" has "$(headers GET /metrics)" \
	$'Content-Type: text/plain; version=0.0.4; charset=utf-8\r'

check "one pool" [ "$(value "$M" latebind_pools)" = 1 ]
check "4 unbound, 0 bound" [ "$(value "$M" 'latebind_pool_tunnels{pool="ulh",state="unbound"}')" = 4 ] \
	&& [ "$(value "$M" 'latebind_pool_tunnels{pool="ulh",state="bound"}')" = 0 ]
check "a series per tunnel and counter (16)" [ "$(grep -c '^latebind_tunnel_.*_total{pool="ulh",tunnel="lb[0-3]"} 0$' <<<"$M")" -eq 16 ]
check_fails "no series is labelled by VNI" grep -qi vni <<<"$(grep -v '^#' <<<"$M")"
check "7 drop reasons, each with its direction" [ "$(grep -c '^latebind_drops_total{pool="ulh",reason="[a-z_]*",direction="\(egress\|ingress\|both\)"} 0$' <<<"$M")" -eq 7 ]
mode=$("$CLI" -n "$H" -j show | jq -r '.[0].attach')
check "datapath attached, egress and ingress, mode $mode (as show says)" \
	[ "$(value "$M" "latebind_datapath_attached{pool=\"ulh\",mode=\"$mode\",direction=\"egress\"}")$(value "$M" "latebind_datapath_attached{pool=\"ulh\",mode=\"$mode\",direction=\"ingress\"}")" = 11 ]
check "guards whole: programs first, input guard, 0 unguarded tunnels" \
	[ "$(value "$M" 'latebind_programs_first{pool="ulh"}')$(value "$M" 'latebind_input_guard{pool="ulh"}')$(value "$M" 'latebind_tunnels_unguarded{pool="ulh"}')" = 110 ]
if find_prometheus 2>"$T/fetch.err"; then
	check "promtool check metrics passes on the output" "$PROMTOOL" check metrics <<<"$M"
	check_fails "control: promtool refuses a malformed sample" "$PROMTOOL" check metrics \
		<<<'latebind_x_total{a="b"} nan nan nan' 2>/dev/null
else
	fail "Debian's prometheus package: $(tail -1 "$T/fetch.err")"
fi

# ---- 2. traffic through lb0 ---------------------------------------------------------
"$CLI" -n "$H" bind lb0 vni 100 >/dev/null || fail "bind lb0 vni 100"
check "ping through lb0" in_ns "$H" ping -q -c 5 -i 0.2 -w 10 192.168.30.2 >/dev/null
M=$(metrics)
S=$("$CLI" -n "$H" -j stats lb0)
for c in tx_packets:transmit_packets tx_bytes:transmit_bytes rx_packets:receive_packets rx_bytes:receive_bytes; do
	want=$(jq ".${c%%:*}" <<<"$S")
	got=$(value "$M" "latebind_tunnel_${c#*:}_total$lb0")
	check "lb0 ${c#*:}: $got, as latebind stats reads it ($want), at least 5" \
		test "$got" = "$want" -a "${got:-0}" -ge 5
done
check "lb1 carried nothing" [ "$(value "$M" 'latebind_tunnel_transmit_packets_total{pool="ulh",tunnel="lb1"}')" = 0 ]
check "1 bound, 3 unbound" [ "$(value "$M" 'latebind_pool_tunnels{pool="ulh",state="bound"}')$(value "$M" 'latebind_pool_tunnels{pool="ulh",state="unbound"}')" = 13 ]

# ---- 3. drops ----------------------------------------------------------------------------
unbound='latebind_drops_total{pool="ulh",reason="unbound",direction="egress"}'
before=$(value "$M" "$unbound")
in_ns "$H" ping -q -c 3 -i 0.2 -W 1 192.168.31.2 >/dev/null 2>&1
after=$(value "$(metrics)" "$unbound")
check "an unbound tunnel's packets raise $unbound ($before -> $after)" [ "$after" -gt "$before" ]

# ---- 4. HTTP ---------------------------------------------------------------------------
U=http://127.0.0.1:27746
check "GET /other: 404" [ "$(status "$H" $U/other)" = 404 ]
check "GET /metrics?x=1: 200" [ "$(status "$H" "$U/metrics?x=1")" = 200 ]
check "POST /metrics: 405" [ "$(status "$H" $U/metrics -X POST -d x)" = 405 ]
check "405 names the allowed methods" has "$(headers DELETE /metrics)" $'Allow: GET, HEAD\r'
A=$(raw 'HEAD /metrics HTTP/1.0\r\n\r\n')
head_only() { [[ $1 == "HTTP/1.1 200 OK"* && $1 == *"Content-Length: "[1-9]* && $1 != *latebind_* ]]; }
check "HEAD /metrics: 200, a length, no body" head_only "$A"
check "not HTTP: 400" has "$(raw 'hello\r\n\r\n' | head -1)" $'HTTP/1.1 400 Bad Request\r'
check "HTTP/2.0: 400" has "$(raw 'GET /metrics HTTP/2.0\r\n\r\n' | head -1)" $'HTTP/1.1 400 Bad Request\r'
check "HTTP/1.0 with bare newlines: 200" has "$(raw 'GET /metrics HTTP/1.0\n\n' | head -1)" $'HTTP/1.1 200 OK\r'

check "a 9 KiB request: 431" [ "$(status "$H" $U/metrics -H "X-Pad: $(head -c 9000 /dev/zero | tr '\0' a)")" = 431 ]
# 20 clients that never finish their request: more than the 16 slots.
for _ in $(seq 20); do
	nsenter --net="/run/netns/$H" bash -c 'exec 3<>/dev/tcp/127.0.0.1/27746
		printf "GET /metrics HTTP/1.1\r\n" >&3; exec sleep 8' &
	PIDS+=("$!")
done
sleep 0.5
t0=$(date +%s%N)
code=$(status "$H" $U/metrics --max-time 3)
ms=$((($(date +%s%N) - t0) / 1000000))
check "a scrape beside 20 stalled clients: $code in $ms ms" [ "$code" = 200 ]

# ---- 5. bad input, IPv6, namespaces, SIGTERM ------------------------------------------------
refused() { # DESCRIPTION EXPECTED-TEXT ARGS...
	local desc=$1 text=$2 out rc
	shift 2
	out=$(timeout 5 "$CLI" -n "$H" exporter "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [[ $out == *"$text"* ]]; then
		ok "$desc: refused ($out)"
	else
		fail "$desc: exit $rc, said: $out"
	fi
}
refused "a host name" "not an IPv4 address or an IPv6 address in brackets" listen localhost:9999
refused "IPv6 without brackets" "not an IPv4 address or an IPv6 address in brackets" listen ::1:9999
refused "no port" "is not ADDR:PORT" listen 127.0.0.1
refused "port 0" "a port is 1-65535" listen 127.0.0.1:0
refused "port 65536" "a port is 1-65535" listen 127.0.0.1:65536
refused "the port in use" "Address already in use" listen 127.0.0.1:27746
refused "an address not here" "Cannot assign requested address" listen 192.0.2.1:9999
refused "an unknown argument" 'unknown argument "lissen"' lissen 127.0.0.1:9999
refused "listen without a value" '"listen" needs ADDR:PORT' listen
# Another uid cannot open the pins: that must not read as "no pools".
chmod 755 "$T" && cp "$CLI" "$T/latebind" && chmod 755 "$T/latebind"
out=$(timeout 5 nsenter --net="/run/netns/$H" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$T/latebind" exporter listen 127.0.0.1:9999 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [[ $out == *"cannot read the pools' pins"*"Permission denied"* ]]; then
	ok "as uid 65534: refused at start ($out)"
else
	fail "as uid 65534: exit $rc, said: $out"
fi
check "the first exporter still serves" [ "$(status "$H" $U/metrics)" = 200 ]

"$CLI" -n "$V" exporter listen '[::1]:27747' 2>/dev/null &
PIDS+=("$!")
check "an exporter on [::1]:27747 in V answers" wait_http "$V" 'http://[::1]:27747/metrics'
check "...and sees V's pools: none" [ "$(value "$(get "$V" 'http://[::1]:27747/metrics' -g)" latebind_pools)" = 0 ]

# ---- 6. Debian's Prometheus server ------------------------------------------------------------
if [ -n "${PROMETHEUS:-}" ]; then
	cat >"$T/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: latebind
	    static_configs:
	      - targets: ['127.0.0.1:27746']
	EOF
	t0=$SECONDS
	# By path, not through in_ns: $! must be prometheus itself, for the kill.
	nsenter --net="/run/netns/$H" "$PROMETHEUS" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/data" \
		--web.listen-address=127.0.0.1:9090 >"$T/prometheus.log" 2>&1 &
	PIDS+=("$!")
	check "prometheus ready on 127.0.0.1:9090 in H" wait_http "$H" http://127.0.0.1:9090/-/ready
	q() { # PROMQL: the first result's value, or empty
		get "$H" http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$1" -G |
			jq -r '.data.result[0].value[1] // empty'
	}
	up=""
	for _ in $(seq 100); do
		up=$(q 'up{job="latebind"}')
		[ "$up" = 1 ] && break
		sleep 0.2
	done
	check "prometheus scraped the exporter: up = $up" [ "$up" = 1 ]
	series="latebind_tunnel_transmit_packets_total$lb0"
	v1=$(q "$series")
	check "prometheus has lb0's transmit counter: $v1" [ -n "$v1" ]
	in_ns "$H" ping -q -c 10 -i 0.1 -w 10 192.168.30.2 >/dev/null
	v2=$v1
	for _ in $(seq 50); do
		v2=$(q "$series")
		[ "${v2:-0}" -ge $((${v1:-0} + 10)) ] && break
		sleep 0.2
	done
	check "after 10 pings its API shows it risen: $v1 -> $v2" [ "${v2:-0}" -ge $((${v1:-0} + 10)) ]
	check "and the other tunnels' did not: lb1 = $(q 'latebind_tunnel_transmit_packets_total{pool="ulh",tunnel="lb1"}')" \
		[ "$(q 'latebind_tunnel_transmit_packets_total{pool="ulh",tunnel="lb1"}')" = 0 ]
	echo "# prometheus part: $((SECONDS - t0)) s" >&3
else
	fail "no prometheus to scrape with"
fi

# ---- 7. its systemd unit ------------------------------------------------------------------------
UNIT=systemd/latebind-exporter.service
sed "s|^ExecStart=/usr/sbin/latebind |ExecStart=$(realpath "$CLI") |" "$UNIT" >"$T/latebind-exporter.service"
mkdir -p "$T/man/man8" && cp man/latebind.8 "$T/man/man8/"
# verify_clean UNIT: systemd-analyze verify passes and says nothing (it
# exits 0 on an unknown key or a bad value, with a warning).
verify_clean() {
	local out
	out=$(MANPATH="$T/man" systemd-analyze verify "$1" 2>&1) && [ -z "$out" ] && return 0
	echo "$out" >&2
	return 1
}
check "systemd-analyze verify: $UNIT clean (ExecStart: this build)" \
	verify_clean "$T/latebind-exporter.service"
sed 's/^ProtectHome=yes/ProtectHome=maybe/' "$T/latebind-exporter.service" >"$T/bad.service"
check_fails "control: a bad value is caught" verify_clean "$T/bad.service" 2>/dev/null
# Its ExecStart as systemd runs it: / and /sys read-only (ProtectSystem=strict,
# ProtectKernelTunables), no new privileges, the unit's capability bounding set.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
bset=-all$(for c in $caps; do printf ',+%s' "$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")"; done)
sandboxed() { # PORT BOUNDING-SET: run the exporter so in H, in the background
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation slave bash -c 'mount -o remount,bind,ro / && mount -o remount,bind,ro /sys &&
		mount -o remount,bind,ro /sys/fs/bpf && exec nsenter --net="/run/netns/$1" setpriv --no-new-privs \
		--inh-caps=-all --ambient-caps=-all --bounding-set="$2" -- "$3" exporter listen "127.0.0.1:$4"' \
		_ "$H" "$2" "$(realpath "$CLI")" "$1" 2>"$T/sandboxed-$1.err" &
	PIDS+=("$!")
}
sandboxed 27748 "$bset"
check "sandboxed as the unit says (bounding set $bset, read-only /sys/fs/bpf): it answers" \
	wait_http "$H" http://127.0.0.1:27748/metrics
M=$(get "$H" http://127.0.0.1:27748/metrics)
check "...lb0's counters as the unconfined exporter reads them" \
	[ "$(grep "$lb0" <<<"$M")" = "$(metrics | grep "$lb0")" ]
check "...and the guards: programs first, input guard, 0 unguarded" \
	[ "$(value "$M" 'latebind_programs_first{pool="ulh"}')$(value "$M" 'latebind_input_guard{pool="ulh"}')$(value "$M" 'latebind_tunnels_unguarded{pool="ulh"}')" = 110 ]
sandboxed 27749 -all
check "without CAP_NET_ADMIN: it answers" wait_http "$H" http://127.0.0.1:27749/metrics
M=$(get "$H" http://127.0.0.1:27749/metrics)
check "...the counters still there" [ "$(grep -c "$lb0" <<<"$M")" -eq 4 ]
check_fails "...the guards left out, not reported broken" grep -q '^latebind_input_guard' <<<"$M"
check "...and it says why" grep -q 'without CAP_NET_ADMIN' "$T/sandboxed-27749.err"

kill -TERM "$EXPORTER"
t0=$(date +%s%N)
wait "$EXPORTER"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGTERM: exit 0 (got $rc) in $ms ms" test "$rc" -eq 0 -a "$ms" -lt 2000
check "...saying so on stderr" grep -q 'stopping on Terminated' "$T/exporter.err"
check "nothing listens on 27746 any more" [ "$(status "$H" http://127.0.0.1:27746/metrics)" = 000 ]

"$CLI" -n "$H" pool destroy dev ulh >/dev/null
summary
