# shellcheck shell=bash
# add_module NAME: copy a kernel module and its dependencies, dependencies
# first, into an initramfs as plain .ko files (busybox insmod loads no
# compressed module), and list each in load order. Shared by
# tests/vm/build-initramfs.sh and tests/e2e/guest/initramfs.sh.
# Dependencies come from each module's .modinfo "depends=", which is what
# depmod turns into modules.dep: Debian's packages ship no modules.dep (their
# postinst runs depmod). Modules may be plain, .ko.xz (6.12, 7.x), .ko.gz or
# .ko.zst. NAME? is optional: left out where the kernel has no such module.
# Needs: MODROOT, KVER, BUSYBOX (from the kernel's env file), R (the root),
# MODULE_LIST (the list file, relative to R), TMPF (a scratch file), die.
# Modules land in $R/lib/modules/$KVER/ under their path in the package.
add_module_seen=""
add_module() {
	local name=${1//-/_} optional="" pat src rel dst deps d
	case $name in *"?") name=${name%"?"} optional=1 ;; esac
	case " $add_module_seen " in *" $name "*) return 0 ;; esac
	add_module_seen="$add_module_seen $name"
	pat=${name//_/[-_]}
	if grep -q "/$pat\.ko$" "${MODULES_BUILTIN:-$MODROOT/modules.builtin}" 2>/dev/null; then return 0; fi
	src=$(find "$MODROOT/kernel" \( -name "$pat.ko" -o -name "$pat.ko.*" \) | head -n 1)
	if [ -z "$src" ] && [ -n "$optional" ]; then
		echo "initramfs: $KVER has no module $name (optional)" >&2
		return 0
	fi
	[ -n "$src" ] || die "module $name is neither in $MODROOT/kernel nor built in"
	rel=${src#"$MODROOT"/}
	rel=${rel%.ko*}.ko
	dst=$R/lib/modules/$KVER/$rel
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) "$BUSYBOX" xzcat "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*.ko.zst) command -v zstd >/dev/null || die "$src needs zstd"; zstd -qdc "$src" >"$dst" ;;
	*) die "unknown module format: $src" ;;
	esac
	objcopy -O binary --only-section=.modinfo "$dst" "$TMPF"
	deps=$(tr '\0' '\n' <"$TMPF" | sed -n 's/^depends=//p')
	for d in ${deps//,/ }; do add_module "$d"; done
	echo "$rel" >>"$R/$MODULE_LIST"
}
