#!/bin/bash
# The shared library as an embedder meets it: exports, symbol versions, the
# installed headers, and a program built against an installed copy.
SUITE=library
. "$(dirname "$0")/../lib/results.sh"
BUILD=${BUILD:-build}
SO=$BUILD/liblatebind.so
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Every dynamic symbol the library defines, as NAME@@VERSION.
nm -D --defined-only "$SO" | awk '$2 != "A" { print $3 }' >"$T/exports"
check "it exports something ($(wc -l <"$T/exports") symbols)" [ -s "$T/exports" ]
bad=$(grep -vE '^latebind_[a-z0-9_]*@@LATEBIND_1\.[0123]$' "$T/exports" | tr '\n' ' ')
check "every export is latebind_* at LATEBIND_1.0 to 1.3${bad:+ (not: $bad)}" [ -z "$bad" ]
check "the version nodes are LATEBIND_1.0, 1.1, 1.2 and 1.3" bash -c \
	"nm -D '$SO' | grep -q ' A LATEBIND_1.0$' && nm -D '$SO' | grep -q ' A LATEBIND_1.1$' &&
	 nm -D '$SO' | grep -q ' A LATEBIND_1.2$' && nm -D '$SO' | grep -q ' A LATEBIND_1.3$'"
# 1.1 adds, and takes nothing from 1.0: exactly what 1.1 added is at 1.1.
v11=$(grep '@@LATEBIND_1\.1$' "$T/exports" | tr '\n' ' ')
check "LATEBIND_1.1 holds latebind_pool_create_mode alone ($v11)" [ "$v11" = "latebind_pool_create_mode@@LATEBIND_1.1 " ]
# 1.2: the slots.
v12=$(grep '@@LATEBIND_1\.2$' "$T/exports" | sort | tr '\n' ' ')
check "LATEBIND_1.2 holds the slot calls alone ($v12)" [ "$v12" = "latebind_pool_create_slots@@LATEBIND_1.2 latebind_pool_slots@@LATEBIND_1.2 latebind_slot_spec_init@@LATEBIND_1.2 latebind_slot_tap@@LATEBIND_1.2 " ]
# 1.3: per-slot namespaces, what apply needs, and the exporter's one-pass read.
v13=$(grep '@@LATEBIND_1\.3$' "$T/exports" | sort | tr '\n' ' ')
check "LATEBIND_1.3 holds the per-slot namespace, apply and exporter calls alone ($v13)" [ "$v13" = "latebind_pool_destroy_unbound@@LATEBIND_1.3 latebind_pool_netns_prefix@@LATEBIND_1.3 latebind_pool_spec_resolve@@LATEBIND_1.3 latebind_pool_tunnels@@LATEBIND_1.3 latebind_slot_netns@@LATEBIND_1.3 " ]
check "latebind_pool_create stays at LATEBIND_1.0" grep -qx 'latebind_pool_create@@LATEBIND_1.0' "$T/exports"
check "soname liblatebind.so.1" bash -c "objdump -p '$SO' | grep -q 'SONAME *liblatebind.so.1$'"
# A control: the check above catches a stray export.
printf 'lb_internal@@LATEBIND_1.0\n' >"$T/stray"
check "control: a stray lb_ export would be caught" bash -c "grep -qvE '^latebind_[a-z0-9_]*@@LATEBIND_1\.[01]$' '$T/stray'"

# Declared and exported agree: latebind.h's functions are all exported, and
# every export is declared in latebind.h or bench.h.
declared() { grep -ohE '\blatebind_[a-z0-9_]+\(' "$@" | tr -d '(' | sort -u; }
declared include/latebind/latebind.h >"$T/stable"
declared include/latebind/latebind.h include/latebind/bench.h >"$T/all"
sed 's/@@.*//' "$T/exports" | sort -u >"$T/names"
missing=$(comm -23 "$T/stable" "$T/names" | tr '\n' ' ')
check "every function of latebind.h is exported${missing:+ (missing: $missing)}" [ -z "$missing" ]
undeclared=$(comm -13 "$T/all" "$T/names" | tr '\n' ' ')
check "every export is declared in a header${undeclared:+ (not: $undeclared)}" [ -z "$undeclared" ]

# No lb_ type in a public signature: the prototypes of latebind.h, joined.
protos=$(awk '/^LATEBIND_API/ { p = 1 } p { printf "%s ", $0 } p && /;/ { print ""; p = 0 }' \
	include/latebind/latebind.h)
check "latebind.h has $(grep -c . <<<"$protos") prototypes" [ "$(grep -c . <<<"$protos")" -gt 30 ]
lbtypes=$(grep -oE '(struct|enum) lb_[a-z_]+' <<<"$protos" | sort -u | tr '\n' ' ')
check "no lb_ type in a public signature${lbtypes:+ (found: $lbtypes)}" [ -z "$lbtypes" ]

# Installed: latebind.h and abi.h, not bench.h; a program builds and runs against it.
check "make install into a stage" make -s install DESTDIR="$T/stage" PREFIX=/usr >/dev/null
check "latebind.h and abi.h installed" \
	test -f "$T/stage/usr/include/latebind/latebind.h" -a -f "$T/stage/usr/include/latebind/abi.h"
check "bench.h is not installed" test ! -e "$T/stage/usr/include/latebind/bench.h"
cat >"$T/user.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <latebind/latebind.h>
int main(void)
{
	struct latebind_addr a;
	enum latebind_tunnel_type t;
	unsigned int *pools;
	size_t n;

	if (latebind_addr_parse("2001:db8::1", &a) || latebind_tunnel_type_parse("geneve", &t) ||
	    t != LATEBIND_GENEVE || latebind_pool_list(&pools, &n))
		return 1;
	free(pools);
	printf("%s %s\n", latebind_tunnel_type_name(LATEBIND_VXLAN), latebind_drop_reason_name(6));
	return 0;
}
C
check "a program builds against the installed headers and library" \
	gcc -Wall -Werror -o "$T/user" "$T/user.c" -I"$T/stage/usr/include" -L"$T/stage/usr/lib" -llatebind
check "...and runs with it" bash -c "[ \"\$(LD_LIBRARY_PATH='$T/stage/usr/lib' '$T/user')\" = 'vxlan bypass' ]"
check "pkg-config names the library" bash -c \
	"PKG_CONFIG_PATH='$T/stage/usr/lib/pkgconfig' pkg-config --libs latebind | grep -q -- -llatebind"
summary
