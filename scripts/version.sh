#!/bin/sh
# One version: the Makefile's LB_VERSION. debian/changelog and the man page
# must say the same; this names the one that does not.
set -eu
v=$(sed -n 's/^LB_VERSION *:= *//p' Makefile)
deb=$(sed -n '1s/^latebind (\([^)]*\)).*/\1/p' debian/changelog)
man=$(sed -n 's/^\.TH .*"latebind \([^"]*\)".*/\1/p' man/latebind.8)
bad=0
if [ "$deb" != "$v" ]; then
	echo "version: debian/changelog says $deb, the Makefile's LB_VERSION $v" \
		"(a new entry: dch -v $v)" >&2
	bad=1
fi
if [ "$man" != "$v" ]; then
	echo "version: man/latebind.8 says $man, the Makefile's LB_VERSION $v" >&2
	bad=1
fi
exit $bad
