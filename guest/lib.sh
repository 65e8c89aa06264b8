# Helpers for the guest scripts (busybox sh). Source it.

# The platform: its name, the firmware's GPU memory addresses and sizes
# (platform/ARCH.sh, copied here by scripts/initramfs.sh)
. /tests/platform.sh

PCI=/sys/bus/pci/devices
DRIVER=nvgrace_gpu_vfio_pci	# the module nvgrace-gpu-vfio-pci, as sysfs names it

# The emulated GPUs the tests and the demo use, at the same slots on every
# platform (scripts/boot.sh, firmware/ARCH-gpu.*)
GPU=0000:00:03.0	# $GPU_MEM_SIZE bytes of "GPU memory" at $GPU_MEM_BASE
NOFW=0000:00:04.0	# no firmware properties
RGPU=0000:01:00.0	# $RGPU_MEM_SIZE at $RGPU_MEM_BASE, behind a root port: can be reset
RAMGPU=0000:00:0a.0	# "GPU memory" at $RAMGPU_MEM_BASE: System RAM
DUPGPU=0000:00:0b.0	# the GPU memory of $GPU again
FARGPU=0000:00:0c.0	# 2 MiB at $FARGPU_MEM_BASE: beyond the CPU's physical address size
BARGPU=0000:00:0d.0	# 2 MiB at $BARGPU_MEM_BASE, but the function implements BAR2

# Seconds a test program may run before limit() (below) calls it hung. The
# longest, the uAPI fuzzer on x86_64 under KASAN, takes about 95 s alone
# (single-threaded TCG beside a build can take two to three times longer).
LIMIT=600

ntest=0
ok() { ntest=$((ntest + 1)); echo "ok $ntest - $*"; }
not_ok() { ntest=$((ntest + 1)); echo "not ok $ntest - $*"; }
skip() { ntest=$((ntest + 1)); echo "ok $ntest - $1 # SKIP $2"; }

# limit SECONDS COMMAND...: run COMMAND in a process group of its own; if
# it is still running after SECONDS, /tests/watchdog.sh prints why on the
# console (timer interrupts per CPU, every task's stack and the locks held)
# and kills the group, and limit returns 124 (as timeout(1) does). The
# boot's own timeout (scripts/boot.sh) is only the last resort.
limit() {
	lsecs=$1
	shift
	setsid "$@" &
	lpid=$!
	lwatch=
	cpu=0
	while [ $cpu -lt "$(nproc)" ]; do
		taskset -c $cpu sh /tests/watchdog.sh $lpid "$lsecs" "$*" &
		lwatch="$lwatch $!"
		cpu=$((cpu + 1))
	done
	wait $lpid
	lrc=$?
	# shellcheck disable=SC2086 # one word per watchdog
	kill $lwatch 2>/dev/null
	if [ -d /tmp/watchdog.$lpid ]; then
		rmdir /tmp/watchdog.$lpid
		return 124
	fi
	return $lrc
}

# guest_prog PROGRAM ARGS...: run a guest program of the harness (within
# $LIMIT seconds), echo its '# ' lines (seed, summary, failures), keep its
# exit status
guest_prog() {
	out=$(limit $LIMIT "$@" 2>&1)
	rc=$?
	echo "$out" | grep '^#'
	[ $rc = 0 ] || echo "# $1 exits $rc"
	return $rc
}

# check DESCRIPTION COMMAND...: one TAP result for COMMAND's exit status,
# and the time it took when that is 3 s or more (make check's time budget)
check() {
	desc=$1
	shift
	ct0=$(date +%s)
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
	ct=$(($(date +%s) - ct0))
	[ $ct -lt 3 ] || echo "# test $ntest took $ct s"
}

# timed DESCRIPTION COMMAND...: run COMMAND (which prints TAP of its own)
# and print the time it took
timed() {
	tdesc=$1
	shift
	tt0=$(date +%s)
	"$@"
	trc=$?
	echo "# $tdesc took $(($(date +%s) - tt0)) s"
	return $trc
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

hex() {		# hex EXPR: the value of EXPR as the kernel prints it (%#llx)
	printf '%#x\n' $(($1))
}

bar_size() {	# bar_size SIZE: the BAR that holds SIZE bytes (a power of two)
	b=1
	while [ $b -lt $(($1)) ]; do
		b=$((b * 2))
	done
	hex $b
}

# fw_node BDF: the firmware node of a PCI function, "-" if it has none:
# its ACPI path (x86_64) or its device-tree path (arm64)
fw_node() {
	if [ -e "$PCI/$1/firmware_node/path" ]; then
		cat "$PCI/$1/firmware_node/path"
	elif [ -e "$PCI/$1/of_node" ]; then
		n=$(readlink -f "$PCI/$1/of_node")
		echo "${n#/sys/firmware/devicetree/base}"
	else
		echo -
	fi
}

# 1 if the CPU has FEAT_S2FWB (the kernel logs it), else 0: what
# nvgrace_gpu_kvm_test takes in NVGRACE_KVM_FWB, as userspace cannot read it
cpu_fwb() {
	if dmesg | grep -q "Stage-2 Force Write-Back"; then echo 1; else echo 0; fi
}
