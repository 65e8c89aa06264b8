# The arm64 platform: what the emulated machine is. Sourced by
# scripts/boot.sh on the host, and by guest/lib.sh in the guest
# (scripts/initramfs.sh copies it to /tests/platform.sh). Plain variable
# assignments only: busybox sh reads it too.
#
# QEMU virt under TCG, as close to Grace as QEMU gets: the kernel boots at
# EL2 (virtualization=on) so KVM runs in the guest, GICv3, an SMMUv3 (each
# PCI function has an IOMMU group of its own) and MTE. -cpu max has
# FEAT_S2FWB ("Stage-2 Force Write-Back"), which cacheable stage-2 mappings
# of memory without struct page need. scripts/boot.sh adds the GPU
# stand-ins, edu functions at the same slots on every platform
# (guest/lib.sh names them), dumps the machine's device tree with these
# very options, appends $FIRMWARE (the GPU memory properties of each
# function's node) and boots with the result (-dtb).

# shellcheck shell=sh disable=SC2034 # sourced: the variables are for others
PLATFORM=arm64
QEMU=qemu-system-aarch64
QEMU_MACHINE="-M virt,virtualization=on,gic-version=3,iommu=smmuv3,mte=on
	-cpu max -smp 2 -m 2G -accel tcg -nic none"
# scripts/boot.sh MODE nofwb: the same machine with a CPU without
# FEAT_S2FWB (KVM then runs in nVHE mode), for the paths that must refuse
# cacheable stage-2 mappings. cortex-a57 has no MTE and QEMU refuses
# mte=on with it ("MTE requested, but not supported by the guest CPU").
QEMU_MACHINE_NOFWB="-M virt,virtualization=on,gic-version=3,iommu=smmuv3
	-cpu cortex-a57 -smp 2 -m 2G -accel tcg -nic none"
CONSOLE=ttyAMA0
# RAM starts at 0x40000000: above 1536M of it (0xa0000000 up to the 2G
# top, 0xbfffffff) there is no struct page: that is the "GPU memory"
KERNEL_ARGS="mem=1536M"
FIRMWARE=firmware/arm64-gpu.dtsi

# The firmware's values, as $FIRMWARE has them: the GPU memory of $GPU
# (384 MiB, not a power of two, so its BAR has padding) and of $RGPU
GPU_MEM_BASE=0xa0000000
GPU_MEM_SIZE=0x18000000
RGPU_MEM_BASE=0xb8000000
RGPU_MEM_SIZE=0x03000000
# $RAMGPU's memory is System RAM
RAMGPU_MEM_BASE=0x41000000
RAMGPU_MEM_SIZE=0x01000000
# An address without struct page that no driver owns
GPU_HOLE=0xbc000000
# The GPU memory of $FARGPU, beyond the 48-bit physical addresses of a
# kernel with 4 KiB pages, and of $BARGPU
FARGPU_MEM_BASE=0x1000000000000
BARGPU_MEM_BASE=0xbe000000

# Operations of the uAPI fuzzer on $RGPU and on $GPU, and the seconds each
# run may take at most (guest/test.sh)
FUZZ_OPS_RGPU=60000
FUZZ_OPS_GPU=5000
FUZZ_SECS_RGPU=200
FUZZ_SECS_GPU=100
