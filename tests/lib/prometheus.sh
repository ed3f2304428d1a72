# shellcheck shell=bash
# Debian's Prometheus server and promtool for the tests, without installing
# the package: the package enables and starts a server on *:9090 and pulls
# a dozen web UI packages. Here its .deb is fetched (apt-get download) and
# unpacked (dpkg -x) into $BUILD/prometheus once, as the VM suite does with
# its kernels. A prometheus already on PATH is used as it is.
#
# find_prometheus: set PROMETHEUS and PROMTOOL, or fail saying why.
# shellcheck disable=SC2034 # for the caller
find_prometheus() {
	local dir=${BUILD:-build}/prometheus tmp
	if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
		PROMETHEUS=$(command -v prometheus) PROMTOOL=$(command -v promtool)
		return 0
	fi
	if [ ! -x "$dir/usr/bin/prometheus" ]; then
		mkdir -p "$dir" || return 1
		tmp=$(mktemp -d "$dir/.dl.XXXXXX") || return 1
		# apt downloads as _apt when run as root
		if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
		if ! (cd "$tmp" && apt-get download -q prometheus >&2) ||
			! dpkg -x "$tmp"/prometheus_*.deb "$dir" >&2; then
			rm -rf "$tmp"
			echo "cannot fetch Debian's prometheus package (apt-get download prometheus)" >&2
			return 1
		fi
		rm -rf "$tmp"
	fi
	PROMETHEUS=$dir/usr/bin/prometheus PROMTOOL=$dir/usr/bin/promtool
}
