#!/bin/bash
# Device names Linux allows but terminals and JSON parsers do not: bytes that
# are no UTF-8, ESC, a C1 CSI, a backslash. Two VXLAN pools are made on such
# underlays with such prefixes; then
#  -j output is valid UTF-8, parses, and every name decodes back to its bytes
#     (\\ -> \, \xNN -> byte NN: man latebind, NAMES)
#  text output and errors on stderr carry no raw control byte
# Each check is shown to fail on a sample with the raw byte in it.
SUITE=names
. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d)
trap 'cleanup_netns; rm -rf "$WORK"' EXIT
export LC_ALL=C

UL1=$'\xff\xfe'          # no UTF-8 at all
PFX1=$'\xe9\x1b\\'       # a lone lead byte, ESC, a backslash
UL2=$'a\x1bb'            # ESC in the middle
PFX2=$'caf\xc3\xa9\xc2\x9b' # valid UTF-8, then the C1 CSI

# The documented decoding; printf %b sees only \\ and \xNN in our output.
unescape() { printf '%b' "$1"; }
valid_utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
valid_json() { valid_utf8 "$1" && jq -e . "$1" >/dev/null 2>&1; }
# No C0 but tab and newline, no DEL, no C1, nothing that is no UTF-8.
clean_text() {
	! grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" && valid_utf8 "$1"
}

# Controls: each check fails on the raw byte it is there to catch.
printf '[{"dev":"\xff\xfe"}]\n' >"$WORK/bad_utf8.json"
printf '[{"dev":"a\x1bb"}]\n' >"$WORK/raw_esc.json"
printf 'pool dev a\x1bb\n' >"$WORK/raw_esc.txt"
printf 'pool dev caf\xc3\xa9\xc2\x9b\n' >"$WORK/raw_csi.txt"
printf 'pool dev a\x7fb\n' >"$WORK/raw_del.txt"
printf 'pool dev \xff\n' >"$WORK/raw_ff.txt"
check_fails "control: valid_json refuses a raw 0xff" valid_json "$WORK/bad_utf8.json"
check_fails "control: valid_json refuses a raw ESC" valid_json "$WORK/raw_esc.json"
for f in raw_esc raw_csi raw_del raw_ff; do
	check_fails "control: clean_text refuses $f" clean_text "$WORK/$f.txt"
done
check "control: clean_text passes tabs, newlines and UTF-8" \
	clean_text <(printf 'pool\tdev caf\xc3\xa9 a\\x1bb\n')
check "control: a real backslash-x decodes as itself" test "$(unescape '\\xff')" = '\xff'

new_netns N names || { fail "netns"; summary; exit 1; }
if ! ip -n "$N" link add "$UL1" type veth peer name p1 ||
	! ip -n "$N" link add "$UL2" type veth peer name p2; then
	fail "Linux takes the names"
	summary
	exit 1
fi
for d in "$UL1" p1 "$UL2" p2; do ip -n "$N" link set "$d" up; done
ip -n "$N" addr add 10.30.0.1/24 dev "$UL1"
ip -n "$N" addr add 10.31.0.1/24 dev "$UL2"

lb() { "$CLI" -n "$N" "$@"; }
check "pool create on a 0xff 0xfe underlay, prefix 0xe9 ESC backslash" \
	lb pool create dev "$UL1" type vxlan remote 10.30.0.2 count 2 prefix "$PFX1" >/dev/null
check "pool create on an underlay with ESC, prefix with a C1 CSI" \
	lb pool create dev "$UL2" type vxlan remote 10.31.0.2 count 2 prefix "$PFX2" \
	dummy-base 1000 >/dev/null
check "bind a tunnel named 0xe9 ESC backslash 1" lb bind "${PFX1}1" vni 100 >/dev/null

lb -j show >"$WORK/show.json"
lb show >"$WORK/show.txt"
check "show -j is valid UTF-8" valid_utf8 "$WORK/show.json"
check "show -j parses" valid_json "$WORK/show.json"
check "show -j has no raw control byte either" clean_text "$WORK/show.json"
got=$(jq -r '.[] | .dev, .tunnels[].name' "$WORK/show.json" |
	while IFS= read -r l; do unescape "$l"; echo; done | sort)
want=$(printf '%s\n' "$UL1" "${PFX1}0" "${PFX1}1" "$UL2" "${PFX2}0" "${PFX2}1" | sort)
check "every name in show -j decodes to its bytes" test "$got" = "$want"
check "show -j spells 0xff 0xfe as \\xff\\xfe" \
	grep -qxF '\xff\xfe' <(jq -r '.[].dev' "$WORK/show.json")

lb -j show "${PFX1}1" >"$WORK/one.json"
check "show TUNNEL -j parses" valid_json "$WORK/one.json"
check "show TUNNEL -j: name and dev decode" test \
	"$(unescape "$(jq -r .name "$WORK/one.json")")/$(unescape "$(jq -r .dev "$WORK/one.json")")" \
	= "${PFX1}1/$UL1"
lb -j stats >"$WORK/stats.json"
check "stats -j parses" valid_json "$WORK/stats.json"

check "show text has no raw control byte" clean_text "$WORK/show.txt"
for s in 'pool dev \xff\xfe (' ' prefix \xe9\x1b\\ ' 'pool dev a\x1bb (' \
	$' prefix caf\xc3\xa9\\xc2\\x9b '; do
	check "show text has '$s'" grep -qF -- "$s" "$WORK/show.txt"
done
lb stats >"$WORK/stats.txt"
check "stats text has no raw control byte" clean_text "$WORK/stats.txt"

# Errors quote the argument: escaped on stderr, valid JSON under -j.
lb bind $'no\x1b]0;x\x07\xff' vni 5 2>"$WORK/err.txt"
check "an error quoting ESC BEL 0xff is clean on stderr" clean_text "$WORK/err.txt"
check "the error spells them escaped" grep -qF 'no\x1b]0;x\x07\xff' "$WORK/err.txt"
lb -j bind $'no\x1b\xff' vni 5 >"$WORK/err.json"
check "the -j error parses" valid_json "$WORK/err.json"

check "pool destroy on 0xff 0xfe" lb pool destroy dev "$UL1" >/dev/null
check "pool destroy on a-ESC-b" lb pool destroy dev "$UL2" >/dev/null
summary
