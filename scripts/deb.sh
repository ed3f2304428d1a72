#!/bin/bash
# make deb: the Debian packages, built by dpkg-buildpackage in a copy of the
# tree (it writes its results next to the tree, and `debian/rules clean`
# runs make clean), then checked by lintian. Results in $BUILD/deb/.
set -euo pipefail
BUILD=${BUILD:-build}
OUT=$(realpath -m "$BUILD/deb")

bash scripts/version.sh
version=$(dpkg-parsechangelog -S Version)
src=$OUT/src/latebind-$version
rm -rf "$OUT"
mkdir -p "$src"
# The working tree as it is: tracked and new files, not what is ignored.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude="./$BUILD" --exclude=./build -cf - . | tar -C "$src" -xf -
fi

echo "deb: dpkg-buildpackage in $src (log: $OUT/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1; then
	tail -30 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $OUT/build.log)" >&2
	exit 1
fi
mv "$OUT"/src/*.deb "$OUT"/src/*.buildinfo "$OUT"/src/*.changes "$OUT"/

# Errors fail the build; warnings and the rest are listed.
changes=$(ls "$OUT"/*.changes)
if ! lintian -I --pedantic --fail-on error "$changes" >"$OUT/lintian.txt" 2>&1; then
	cat "$OUT/lintian.txt" >&2
	echo "deb: lintian reports errors (above)" >&2
	exit 1
fi
echo "deb: lintian: $(grep -c '^E:' "$OUT/lintian.txt") errors," \
	"$(grep -c '^W:' "$OUT/lintian.txt") warnings, $(grep -c '^[IP]:' "$OUT/lintian.txt") notes" \
	"($OUT/lintian.txt)"
ls -1 "$OUT"/*.deb
