/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VFIO setup the guest programs share: open the IOMMU group of a PCI
 * function and attach it to a new type1 container, as a VMM does.
 */
#ifndef NVGRACE_GUEST_VFIO_GROUP_H
#define NVGRACE_GUEST_VFIO_GROUP_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

/*
 * Open the VFIO group of @bdf and set it in a new container with the type1
 * IOMMU (v2 if the kernel has it). Return the group fd and store the
 * container fd in *@container; or return -1 with errno set and *@step
 * naming what failed.
 */
static inline int vfio_group_open(const char *bdf, int *container,
				  const char **step)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	static char path[PATH_MAX];
	char link[PATH_MAX];
	int iommu = VFIO_TYPE1v2_IOMMU;
	ssize_t len;
	int group;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	*step = path;
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return -1;
	link[len] = '\0';

	*step = "/dev/vfio/vfio";
	*container = open("/dev/vfio/vfio", O_RDWR);
	if (*container < 0)
		return -1;
	if (ioctl(*container, VFIO_CHECK_EXTENSION, iommu) <= 0)
		iommu = VFIO_TYPE1_IOMMU;

	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	*step = path;
	group = open(path, O_RDWR);
	if (group < 0)
		goto err_container;

	*step = "VFIO_GROUP_GET_STATUS (is the group viable?)";
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		goto err_group;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto err_group;
	}
	*step = "VFIO_GROUP_SET_CONTAINER";
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, container))
		goto err_group;
	*step = "VFIO_SET_IOMMU";
	if (ioctl(*container, VFIO_SET_IOMMU, iommu))
		goto err_group;
	return group;

err_group:
	close(group);
err_container:
	close(*container);
	return -1;
}

/*
 * Open the VFIO device @bdf through its group (vfio_group_open()) and read
 * its BAR2 region: the file offset of the region in *@region and the size
 * of its one sparse mmap area, the GPU memory, in *@memsize. Return the
 * device fd, or -1 with errno set (ENODEV: no sparse mmap area, so the
 * device is not bound to nvgrace-gpu-vfio-pci) and *@step naming what
 * failed.
 */
static inline int vfio_gpu_mem_open(const char *bdf, int *container,
				    uint64_t *region, uint64_t *memsize,
				    const char **step)
{
	struct vfio_region_info_cap_sparse_mmap *sparse = NULL;
	struct vfio_info_cap_header *hdr;
	struct vfio_region_info *info;
	int group, device;
	uint32_t cap;

	group = vfio_group_open(bdf, container, step);
	if (group < 0)
		return -1;
	*step = "VFIO_GROUP_GET_DEVICE_FD";
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		return -1;

	*step = "VFIO_DEVICE_GET_REGION_INFO of BAR2";
	info = calloc(1, 4096);
	if (!info)
		return -1;
	info->argsz = 4096;
	info->index = VFIO_PCI_BAR2_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info))
		goto err;
	for (cap = info->cap_offset; cap; cap = hdr->next) {
		hdr = (void *)((char *)info + cap);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			sparse = (void *)hdr;
	}
	if (!sparse || sparse->nr_areas != 1) {
		*step = "no sparse mmap area in BAR2 (is the driver bound?)";
		errno = ENODEV;
		goto err;
	}
	*region = info->offset;
	*memsize = sparse->areas[0].size;
	free(info);
	return device;

err:
	free(info);
	close(device);
	return -1;
}

#endif /* NVGRACE_GUEST_VFIO_GROUP_H */
