# nvgrace-gpu series: the two commands are 'make demo' and 'make check'.
# Every target is a small script in scripts/; read them for the details.

# The guest's arch, x86_64 unless 'make ... ARCH=arm64' or GUEST_ARCH=arm64
# (platform/ARCH.sh is its machine). Only an ARCH given on the command line
# counts: kernel developers often have one in their environment.
GUEST_ARCH := x86_64
ifeq ($(origin ARCH),command line)
GUEST_ARCH := $(ARCH)
endif
KIMAGE_x86_64 := build/x86_64/arch/x86/boot/bzImage
KIMAGE_arm64 := build/arm64/arch/arm64/boot/Image
INITRAMFS := build/initramfs-$(GUEST_ARCH).cpio.gz
# guest/files lists them (shared with scripts/check.sh)
GUEST_FILES := $(shell scripts/guest-files.sh $(GUEST_ARCH))
# The nested guest's kit (QEMU, the L2 kernel and initramfs)
VMKIT_x86_64 := vmkit
VMKIT_arm64 := vmkit

.PHONY: help demo check deps tree export export-check checkpatch \
	series-check docs send-dry-run build-series \
	kernel selftests vmkit initramfs test nofwb clean clean-tree

help:
	@echo 'make demo          build what is missing, boot the guest, walk through the driver'
	@echo 'make check         every test: checkpatch, per-patch builds, arm64, guest tests'
	@echo 'make tree          create build/linux: the pinned base + patches/ (git am)'
	@echo 'make export        regenerate patches/ from the commits in build/linux'
	@echo 'make export-check  fail if build/linux holds work that patches/ does not'
	@echo 'make checkpatch    checkpatch.pl --strict --codespell on every patch'
	@echo 'make series-check  patch count, subjects, sign-offs, cover letter'
	@echo 'make docs          make htmldocs of the pages the series adds'
	@echo 'make send-dry-run  git send-email --dry-run of patches/ to get_maintainer.pl'"'"'s list'
	@echo 'make build-series  build every patch in turn, compare W=1/sparse/kernel-doc warnings'
	@echo 'make test          boot the guest and run the tests on the current build'
	@echo 'make nofwb         (ARCH=arm64) boot the arm64 guest on a CPU without FEAT_S2FWB'
	@echo 'demo, test with ARCH=arm64: the arm64 guest instead of the x86_64 one'

deps:
	@scripts/deps.sh

tree: deps
	@scripts/tree.sh

export:
	@scripts/export.sh

export-check:
	@scripts/export-check.sh

checkpatch: tree
	@scripts/checkpatch.sh

series-check: tree
	@scripts/series-check.sh

docs: tree
	@scripts/docs.sh

send-dry-run: tree
	@scripts/send-dry-run.sh

# After 'make kernel' (ARCH=arm64 for arm64); leaves build/ARCH to rebuild
build-series: tree
	@scripts/build-series.sh $(GUEST_ARCH)

kernel: tree
	@scripts/kernel.sh $(GUEST_ARCH) > build/kernel-$(GUEST_ARCH).log 2>&1 || \
		{ tail -n 30 build/kernel-$(GUEST_ARCH).log; exit 1; }
	@echo "kernel: $(KIMAGE_$(GUEST_ARCH))"

selftests: kernel
	@scripts/selftests.sh $(GUEST_ARCH)

# The nested guest's kit: Debian's QEMU and a small L2 kernel + initramfs
vmkit: selftests
	@scripts/vmkit.sh $(GUEST_ARCH) build/selftests-$(GUEST_ARCH)/vmkit.cpio

initramfs: selftests $(VMKIT_$(GUEST_ARCH))
	@scripts/initramfs.sh $(GUEST_ARCH) $(INITRAMFS) $(GUEST_FILES)

demo: initramfs
	@scripts/boot.sh $(GUEST_ARCH) demo $(KIMAGE_$(GUEST_ARCH)) $(INITRAMFS) \
		build/demo-$(GUEST_ARCH).log

test: initramfs
	@scripts/boot.sh $(GUEST_ARCH) test $(KIMAGE_$(GUEST_ARCH)) $(INITRAMFS) \
		build/test-$(GUEST_ARCH).log

# The arm64 machine with a CPU without FEAT_S2FWB (scripts/boot.sh)
nofwb: initramfs
	@scripts/boot.sh $(GUEST_ARCH) nofwb $(KIMAGE_$(GUEST_ARCH)) $(INITRAMFS) \
		build/nofwb-$(GUEST_ARCH).log

check:
	@scripts/check.sh

clean:
	rm -rf build/x86_64 build/arm64 build/l2-* build/selftests-* \
		build/series-* build/htmldocs build/*.log build/*.cpio.gz

# Drops build/linux, including work that was not exported.
clean-tree:
	rm -rf build/linux
