#!/bin/sh
# Build a guest kernel out of tree:
#   scripts/kernel.sh ARCH [OUTDIR [FRAGMENT...]]
#
# The config is allnoconfig + configs/common.config + configs/$ARCH.config
# (merge_config.sh -m, then olddefconfig), regenerated on every run; given
# FRAGMENTs replace those two (e.g. configs/x86_64-l2.config). Every
# CONFIG_FOO=y or =m line of the fragments must be in the final .config: a symbol
# the tree defines but that did not stick is an error; a symbol the tree does
# not define at all (e.g. the driver's own symbol on the bare base) is only
# a warning. The kernel headers are installed into OUTDIR/usr/include.
# A "# CONFIG_FOO is not set" line of a fragment must not end up =y or =m.
# With CONFIG_MODULES=y the modules are built too. TARGETS=none only
# configures. TREE=DIR builds another source tree than build/linux (e.g. a
# pristine `git archive base` export).
. "$(dirname "$0")/common.sh"
tree=${TREE:-$tree}

[ $# -ge 1 ] || die "usage: kernel.sh ARCH [OUTDIR [FRAGMENT...]]"
arch=$1
out=${2:-$build/$arch}
shift $(($# < 2 ? $# : 2))

case $arch in
x86_64)
	karch=x86_64 cross= target=bzImage image=arch/x86/boot/bzImage ;;
arm64)
	karch=arm64 cross=aarch64-linux-gnu- target=Image image=arch/arm64/boot/Image ;;
*)
	die "unknown ARCH '$arch' (x86_64 or arm64)" ;;
esac

frags="$top/configs/common.config $top/configs/$arch.config"
[ $# = 0 ] || frags="$*"
for f in $frags; do
	[ -f "$f" ] || die "missing config fragment $f"
done
[ -f "$tree/Makefile" ] || die "no kernel tree at $tree (run scripts/tree.sh)"

ccache_env
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The objects' dependency files name the sources by absolute path: a build
# continued from another source tree would not see that tree's changes.
src=$(cd "$tree" && pwd)
if [ -f "$out/.source-tree" ] && [ "$(cat "$out/.source-tree")" != "$src" ]; then
	die "$out was built from $(cat "$out/.source-tree"), not $src: remove it first"
fi
echo "$src" > "$out/.source-tree"

kmake() {
	make -C "$tree" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" "$@"
}

start=$(date +%s)

say "configuring $out"
kmake -s allnoconfig
"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags \
	>/dev/null
kmake -s olddefconfig

# Check the requested =y and =m options.
defined() {	# is CONFIG_$1 defined by some Kconfig file of the tree?
	find "$tree" -name 'Kconfig*' -exec \
		grep -lE "^[[:space:]]*(menu)?config $1\$" {} + | grep -q .
}
bad=0
for req in $(sed -n 's/^CONFIG_\([A-Za-z0-9_]*=[ym]\)$/\1/p' $frags | sort -u); do
	sym=${req%=*}
	grep -qx "CONFIG_$req" "$out/.config" && continue
	if defined "$sym"; then
		have=$(grep -E "^(# )?CONFIG_$sym[= ]" "$out/.config" || true)
		say "error: CONFIG_$req requested, .config has: ${have:-nothing}" >&2
		bad=1
	else
		say "warning: CONFIG_$sym is not defined by this tree, skipped"
	fi
done
for sym in $(sed -n 's/^# CONFIG_\([A-Za-z0-9_]*\) is not set$/\1/p' $frags | sort -u); do
	! grep -qE "^CONFIG_$sym=(y|m)\$" "$out/.config" || {
		say "error: CONFIG_$sym is not wanted, .config has it set" >&2
		bad=1
	}
done
[ $bad = 0 ] || die "config fragments did not stick (missing dependencies?)"
[ "${TARGETS:-}" != none ] || exit 0

! grep -q '^CONFIG_MODULES=y' "$out/.config" || target="$target modules"
say "building $target"
# shellcheck disable=SC2086 # one word per target
kmake -j"${JOBS:-2}" $target
kmake -s headers_install >/dev/null

say "built $out/$image in $(($(date +%s) - start)) s"
