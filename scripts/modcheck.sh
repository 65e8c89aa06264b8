#!/bin/sh
# Check a kernel built with the driver as a module: scripts/modcheck.sh
# OUTDIR BUILDLOG
#
# modpost printed no warning in BUILDLOG (an undefined or unexported
# symbol, a section mismatch), nvgrace-gpu-vfio-pci.ko exists and modinfo
# shows its license, description and one vfio_pci: alias per device ID of
# its table (the aliases that let a VMM's tooling find the variant driver
# for a device, Documentation/driver-api/vfio-pci-device-specific-driver-acceptance.rst).
. "$(dirname "$0")/common.sh"

[ $# = 2 ] || die "usage: modcheck.sh OUTDIR BUILDLOG"
out=$1 log=$2
ko=$out/drivers/vfio/pci/nvgrace-gpu/nvgrace-gpu-vfio-pci.ko
[ -f "$ko" ] || die "no $ko: is CONFIG_NVGRACE_GPU_VFIO_PCI=m?"

! grep -E 'WARNING: modpost|ERROR: modpost|undefined!' "$log" ||
	die "modpost warnings in $log"

info() {
	/sbin/modinfo -F "$1" "$ko"
}
[ "$(info license)" = GPL ] || die "modinfo: license is '$(info license)', not GPL"
[ -n "$(info description)" ] || die "modinfo: no description"
ids=$(sed -n 's/.*PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_NVIDIA, 0x\([0-9a-fA-F]*\)).*/\1/p' \
	"$tree/drivers/vfio/pci/nvgrace-gpu/main.c" | tr a-f A-F)
[ -n "$ids" ] || die "no device IDs found in the driver's table"
for id in $ids; do
	info alias | grep -qx "vfio_pci:v000010DEd0000${id}sv\*sd\*bc\*sc\*i\*" ||
		die "modinfo: no vfio_pci: alias for 10de:$id; it has: $(info alias | tr '\n' ' ')"
done
for m in $(find "$out" -name '*.ko'); do
	say "$(basename "$m"): $(/sbin/modinfo -F alias "$m" | wc -l) aliases, depends: $(/sbin/modinfo -F depends "$m")"
done
say "modpost clean; modinfo shows the aliases of $(echo "$ids" | wc -w) device IDs"
