# The x86_64 platform: what the emulated machine is. Sourced by
# scripts/boot.sh on the host, and by guest/lib.sh in the guest
# (scripts/initramfs.sh copies it to /tests/platform.sh). Plain variable
# assignments only: busybox sh reads it too.
#
# QEMU q35 under TCG (KVM does not work on the project's machines) with an
# emulated Intel IOMMU, so each PCI function has an IOMMU group of its own.
# The CPU says GenuineIntel so that an injected machine check is graded as
# on Intel (action required, local to one CPU: MCG_STATUS.LMCES is only
# honoured on Intel). scripts/boot.sh adds the GPU stand-ins, edu functions
# at the same slots on every platform (guest/lib.sh names them); the SSDT
# in $FIRMWARE gives them their _DSD properties.

# shellcheck shell=sh disable=SC2034 # sourced: the variables are for others
PLATFORM=x86_64
QEMU=qemu-system-x86_64
#
# Single-threaded TCG (thread=single): both vCPUs run on one host thread,
# taking turns. With one thread per vCPU (QEMU's default), QEMU 7.2 lets a
# vCPU use its TLB entries for MMIO after another vCPU has changed the
# memory map (every memory-decode toggle, BAR move and reset of the tests
# does) and before its TLB is flushed: the access then goes to whatever
# device has the entry's index in the new map. Seen under host load: QEMU
# printed "vtd_mem_write: MMIO over range: addr=0x380 size=0x4", a local
# APIC timer write (register 0x380, the initial count) that landed in the
# VT-d unit; that CPU's timer was never armed again and the guest stopped
# making progress. guest/timer-stress.c reproduces it in a minute or two
# with a parallel build on the host; QEMU 8.1.1 fixed it upstream (tcg_commit
# flushes on the vCPU's own thread), Debian 12 has 7.2. Single-threaded TCG
# changes the map only between vCPU time slices, and uses one host core.
QEMU_MACHINE="-M q35 -accel tcg,thread=single -cpu qemu64,vendor=GenuineIntel
	-m 3G -smp 2 -nic none -device intel-iommu,intremap=on"
CONSOLE=ttyS0
# RAM above 1536M (0x60000000 up to the 2G top) has no struct page: that is
# the "GPU memory"
KERNEL_ARGS="mem=1536M intel_iommu=on"
FIRMWARE=firmware/x86_64-gpu.asl
# A HEST with one polled Generic Hardware Error Source, whose error status
# address is the word at $GHES_ADDR (firmware/x86_64-hest.asl has it too):
# guest/nvgrace-ghes.c plays the firmware there. It is the first word of
# the RAM above 4 GiB (q35 puts the third GiB of -m 3G there; mem= leaves
# all of it to the tests): RAM below 2 GiB is no place for it, as QEMU
# loads the initramfs at the top of that RAM, and GHES reads the word as
# soon as it probes, at boot.
HEST=firmware/x86_64-hest.asl
GHES_ADDR=0x100000000

# The firmware's values, as $FIRMWARE has them: the GPU memory of $GPU
# (384 MiB, not a power of two, so its BAR has padding) and of $RGPU
GPU_MEM_BASE=0x60000000
GPU_MEM_SIZE=0x18000000
RGPU_MEM_BASE=0x78000000
RGPU_MEM_SIZE=0x03000000
# $RAMGPU's memory is System RAM
RAMGPU_MEM_BASE=0x01000000
RAMGPU_MEM_SIZE=0x01000000
# An address without struct page that no driver owns
GPU_HOLE=0x7c000000
# The GPU memory of $FARGPU, beyond the CPU's physical address size (the
# 40 bits of QEMU's TCG x86 CPUs), and of $BARGPU
FARGPU_MEM_BASE=0x10000000000
BARGPU_MEM_BASE=0x7e000000

# Operations of the uAPI fuzzer on $RGPU and on $GPU, and the seconds each
# run may take at most (guest/test.sh). Under KASAN the x86_64 guest is the
# longest step of make check: 36,000 and 3,000 operations, 120 and 60 s
# (on the faster machine 60,000 in 200 s ran 32,512 operations; 5,000
# took 98 s).
FUZZ_OPS_RGPU=36000
FUZZ_OPS_GPU=3000
FUZZ_SECS_RGPU=120
FUZZ_SECS_GPU=60
