#!/bin/sh
# Placeholder test suite (TAP): checks the emulated platform itself with the
# plain vfio-pci driver. To be replaced by the driver's tests.
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

dev=/sys/bus/pci/devices
gpu=0000:00:03.0

echo "1..15"

# Firmware nodes: slot N is \_SB.PCI0.Sxx with xx = devfn in hex.
for slot in 3 4 5 6 7 8; do
	want=$(printf '\\_SB_.PCI0.S%02X_' $((slot * 8)))
	got=$(cat $dev/0000:00:0$slot.0/firmware_node/path 2>/dev/null)
	check "slot $slot firmware node is $want (got '$got')" [ "$got" = "$want" ]
done

check "SSDT NVGRAC/GPUMEM loaded" \
	sh -c 'dmesg | grep -q "SSDT.*NVGRAC GPUMEM"'
check "no ACPI errors in dmesg" \
	sh -c '! dmesg | grep -iE "ACPI (BIOS )?(Error|Exception|Warning)|AE_[A-Z_]+"'

groups=
for slot in 3 4 5 6 7 8; do
	g=$(readlink $dev/0000:00:0$slot.0/iommu_group)
	groups="$groups ${g##*/}"
done
check "each edu has its own IOMMU group:$groups" \
	[ "$(echo $groups | tr ' ' '\n' | sort -u | wc -l)" = 6 ]

# Bind slot 3 to plain vfio-pci.
echo vfio-pci > $dev/$gpu/driver_override
echo $gpu > /sys/bus/pci/drivers_probe
drv=$(readlink $dev/$gpu/driver)
check "$gpu bound to vfio-pci (driver: ${drv##*/})" [ "${drv##*/}" = vfio-pci ]
check "$gpu has an iommu_group" [ -e $dev/$gpu/iommu_group ]
group=$(readlink $dev/$gpu/iommu_group)
group=${group##*/}
check "/dev/vfio/$group exists" [ -c /dev/vfio/$group ]

if [ -x /tests/vfio-smoke ]; then
	check "type1 container API on group $group" /tests/vfio-smoke $group $gpu
else
	ok "type1 container API on group $group # SKIP no /tests/vfio-smoke"
fi

# memory_failure() on a pfn without struct page (base kernel behaviour).
err=$( (echo 0x60000000 > /sys/devices/system/memory/hard_offline_page) 2>&1)
echo "# hard_offline_page: ${err:-write succeeded}"
check "hard_offline_page 0x60000000 fails with ENXIO" \
	sh -c "echo '$err' | grep -q 'No such device or address'"
check "dmesg: memory outside kernel control" \
	sh -c 'dmesg | grep -q "0x60000: memory outside kernel control"'
