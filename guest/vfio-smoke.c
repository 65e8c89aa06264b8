// SPDX-License-Identifier: GPL-2.0
/*
 * Harness smoke test: open a PCI function bound to a vfio-pci driver through
 * the type1 container API, print its regions and read the first dword of
 * BAR0 through mmap (the edu device's ID register reads 0x010000ed), then
 * map 1 MiB of anonymous memory for DMA through the IOMMU.
 *
 *   vfio-smoke GROUP_NUMBER 0000:00:03.0
 *
 * Prints TAP-style "# " comments; exits 0 on success, 1 on any error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

static int fail(const char *what)
{
	printf("# vfio-smoke: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_type1_dma_map dma = {
		.argsz = sizeof(dma),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = 0x100000,
		.size = 0x100000,
	};
	char path[64];
	int container, group, device;
	volatile uint32_t *bar0;
	unsigned int i;

	if (argc != 3) {
		printf("# usage: vfio-smoke GROUP BDF\n");
		return 1;
	}

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return fail("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return fail("VFIO_GET_API_VERSION");
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
		return fail("VFIO_CHECK_EXTENSION(TYPE1v2)");

	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	group = open(path, O_RDWR);
	if (group < 0)
		return fail(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		return fail("VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		return fail("group not viable");
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail("VFIO_SET_IOMMU(TYPE1v2)");

	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	if (device < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD");
	if (ioctl(device, VFIO_DEVICE_GET_INFO, &info))
		return fail("VFIO_DEVICE_GET_INFO");
	printf("# %s: flags 0x%x, %u regions, %u irqs\n", argv[2],
	       info.flags, info.num_regions, info.num_irqs);

	for (i = 0; i < info.num_regions && i <= VFIO_PCI_CONFIG_REGION_INDEX; i++) {
		reg.index = i;
		if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg))
			return fail("VFIO_DEVICE_GET_REGION_INFO");
		if (reg.size)
			printf("# region %u: size 0x%llx offset 0x%llx flags 0x%x\n",
			       i, (unsigned long long)reg.size,
			       (unsigned long long)reg.offset, reg.flags);
	}

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return fail("VFIO_DEVICE_GET_REGION_INFO(BAR0)");
	bar0 = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    device, reg.offset);
	if (bar0 == MAP_FAILED)
		return fail("mmap BAR0");
	printf("# BAR0[0] = 0x%08x\n", bar0[0]);

	dma.vaddr = (uintptr_t)mmap(NULL, dma.size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dma.vaddr == (uintptr_t)MAP_FAILED)
		return fail("mmap DMA buffer");
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &dma))
		return fail("VFIO_IOMMU_MAP_DMA");
	printf("# mapped 0x%llx bytes for DMA at iova 0x%llx\n",
	       (unsigned long long)dma.size, (unsigned long long)dma.iova);
	return 0;
}
