# Helpers for the guest scripts (busybox sh). Source it.

PCI=/sys/bus/pci/devices
DRIVER=nvgrace_gpu_vfio_pci	# the module nvgrace-gpu-vfio-pci, as sysfs names it

# The emulated GPUs the tests and the demo use (firmware/*.asl)
GPU=0000:00:03.0	# 384 MiB of "GPU memory" at 0x60000000
GPU_MEM_SIZE=0x18000000
NOFW=0000:00:04.0	# no firmware properties
RGPU=0000:01:00.0	# 48 MiB at 0x78000000, behind a root port: can be reset
RGPU_MEM_SIZE=0x3000000
RAMGPU=0000:00:0a.0	# "GPU memory" at 0x1000000: System RAM
DUPGPU=0000:00:0b.0	# the GPU memory of $GPU again

ntest=0
ok() { ntest=$((ntest + 1)); echo "ok $ntest - $*"; }
not_ok() { ntest=$((ntest + 1)); echo "not ok $ntest - $*"; }
skip() { ntest=$((ntest + 1)); echo "ok $ntest - $1 # SKIP $2"; }

# check DESCRIPTION COMMAND...: one TAP result for COMMAND's exit status
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

driver_of() {
	d=$(readlink "$PCI/$1/driver" 2>/dev/null) && echo "${d##*/}"
}

unbind() {
	d=$(driver_of "$1") || return 0
	echo "$1" > "/sys/bus/pci/drivers/$d/unbind"
}

# bind BDF DRIVER: bind through driver_override; prints the bind error, if
# any, and returns non-zero when the driver did not bind
bind() {
	unbind "$1"
	echo "$2" > "$PCI/$1/driver_override"
	err=$( (echo "$1" > "/sys/bus/pci/drivers/$2/bind") 2>&1)
	[ -z "$err" ] || echo "${err##*: }"
	[ "$(driver_of "$1")" = "$2" ]
}

iommu_group() {
	g=$(readlink "$PCI/$1/iommu_group") && echo "${g##*/}"
}
