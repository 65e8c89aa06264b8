#!/bin/sh
# Install the Debian 12 packages the project needs (as root). Does nothing
# when they are all there already.
. "$(dirname "$0")/common.sh"

pkgs="build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
	kmod rsync git python3 python3-ply python3-git ccache sparse diffstat
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	qemu-system-x86 qemu-system-arm acpica-tools device-tree-compiler
	busybox-static codespell git-email libmailtools-perl
	python3-sphinx python3-sphinx-rtd-theme $BASE_PACKAGE=$BASE_VERSION"

# The arm64 guest's busybox and QEMU come from Debian's arm64 packages,
# downloaded and unpacked, never installed (scripts/initramfs.sh,
# scripts/vmkit.sh): apt must know that architecture.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || die "arm64 packages are not enabled (run 'make deps' as root)"
	say "enabling arm64 packages (dpkg --add-architecture arm64)"
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null || die "apt-get update failed"
fi

missing=
for p in $pkgs; do
	name=${p%%=*}
	want=${p#*=}
	have=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$name" 2>/dev/null || true)
	case $have in
	"ii "*)
		[ "$want" = "$p" ] || [ "${have#ii }" = "$want" ] || missing="$missing $p"
		;;
	*)
		missing="$missing $p"
		;;
	esac
done

[ -n "$missing" ] || exit 0
[ "$(id -u)" = 0 ] || die "missing packages:$missing (run 'make deps' as root)"
say "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends --allow-downgrades $missing >/dev/null ||
	die "apt-get install failed"
