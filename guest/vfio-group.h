/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VFIO setup the guest programs share: open the IOMMU group of a PCI
 * function and attach it to a new type1 container, as a VMM does.
 */
#ifndef NVGRACE_GUEST_VFIO_GROUP_H
#define NVGRACE_GUEST_VFIO_GROUP_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

#endif /* NVGRACE_GUEST_VFIO_GROUP_H */
