// SPDX-License-Identifier: GPL-2.0
/*
 * Walk through what nvgrace-gpu-vfio-pci gives userspace, the way a VMM
 * uses it: open the device through the VFIO group/container API, read the
 * BAR2 region info and its sparse mmap area, size the emulated BAR in
 * config space, write a pattern through mmap and read it back with pread
 * (and the reverse), and read the all-ones BAR padding.
 *
 *   nvgrace-demo BDF
 *
 * Prints a readable report; exits 0 when everything behaved as described,
 * 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio-group.h"

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("  FAILED: " __VA_ARGS__);			\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static void die(const char *what)
{
	printf("nvgrace-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_device(const char *bdf)
{
	int container, fd, device;
	const char *step;

	fd = vfio_group_open(bdf, &container, &step);
	if (fd < 0)
		die(step);
	device = ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");
	printf("opened %s through its VFIO group (type1 IOMMU container)\n",
	       bdf);
	return device;
}

static void hexdump(const char *what, const unsigned char *p, size_t len)
{
	size_t i;

	printf("  %-28s", what);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("  \"");
	for (i = 0; i < len; i++)
		putchar(p[i] >= 32 && p[i] < 127 ? p[i] : '.');
	printf("\"\n");
}

static uint32_t cfg_read32(int device, uint64_t cfg, unsigned int reg)
{
	uint32_t val;

	if (pread(device, &val, 4, cfg + reg) != 4)
		die("config read");
	return val;
}

static void cfg_write32(int device, uint64_t cfg, unsigned int reg,
			uint32_t val)
{
	if (pwrite(device, &val, 4, cfg + reg) != 4)
		die("config write");
}

/*
 * On x86, print the PAT memory type the kernel holds for the GPU memory:
 * user mappings of the region take it when the fault handler inserts pfns.
 */
static void show_pat(uint64_t base)
{
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	unsigned long long start, end;
	char line[256], type[64];
	int found = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s",
			   &start, &end, type) != 3 || start != base)
			continue;
		printf("  x86 PAT memory type of %#llx-%#llx: %s\n",
		       start, end - 1, type);
		CHECK(!strcmp(type, "write-back"),
		      "the GPU memory is not write-back");
		found = 1;
	}
	fclose(f);
	CHECK(found, "no PAT memory type for the GPU memory");
}

static volatile sig_atomic_t sigbus_jump;
static sigjmp_buf sigbus_env;
static siginfo_t sigbus_info;

static void on_sigbus(int sig __attribute__((unused)), siginfo_t *si,
		      void *ucontext __attribute__((unused)))
{
	sigbus_info = *si;
	printf("  SIGBUS %s at %p, si_addr_lsb %d\n",
	       si->si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" :
	       si->si_code == BUS_MCEERR_AO ? "BUS_MCEERR_AO" : "(other)",
	       si->si_addr, si->si_addr_lsb);
	if (sigbus_jump)
		siglongjmp(sigbus_env, 1);
}

/*
 * Poison the page at @off of the GPU memory at physical @base, mapped at
 * @map, the way a memory error would: this early-kill task gets
 * BUS_MCEERR_AO at once, and BUS_MCEERR_AR when it touches the page.
 */
static void poison(char *map, int device, uint64_t region, uint64_t base,
		   uint64_t off)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	char buf[32];
	int fd, len;

	printf("\nMemory failure on GPU memory (no struct page):\n");
	sigaction(SIGBUS, &sa, NULL);
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
	printf("  the page at offset %#llx is mapped at %p\n",
	       (unsigned long long)off, map + off);
	fd = open("/sys/devices/system/memory/hard_offline_page", O_WRONLY);
	len = snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)(base + off));
	printf("  echo %s > /sys/devices/system/memory/hard_offline_page\n", buf);
	if (fd < 0 || write(fd, buf, len) != len)
		die("hard_offline_page");
	close(fd);
	CHECK(sigbus_info.si_code == BUS_MCEERR_AO && sigbus_info.si_addr == map + off,
	      "no BUS_MCEERR_AO at the page");

	printf("  touching it:\n");
	sigbus_jump = 1;
	if (!sigsetjmp(sigbus_env, 1))
		(void)*(volatile char *)(map + off + 8);
	sigbus_jump = 0;
	CHECK(sigbus_info.si_code == BUS_MCEERR_AR && sigbus_info.si_addr == map + off + 8,
	      "no BUS_MCEERR_AR at the address touched");
	errno = 0;
	CHECK(pread(device, buf, 8, region + off) < 0 && errno == EIO,
	      "pread of the poisoned page did not fail with EIO");
	printf("  pread of the poisoned page: %s\n", strerror(errno));
}

/* Average time of mmap() + munmap() of @len bytes of the region, in ns */
static double time_mmap(int device, uint64_t offset, size_t len)
{
	struct timespec t0, t1;
	const int rounds = 200;
	void *p;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < rounds; i++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 device, offset);
		if (p == MAP_FAILED)
			die("mmap");
		munmap(p, len);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
	       rounds;
}

int main(int argc, char **argv)
{
	static const char msg1[] = "Hello from mmap!";
	static const char msg2[] = "Hello via pwrite";
	unsigned char buf[32];
	struct vfio_region_info *info;
	struct vfio_region_info_cap_sparse_mmap *sparse = NULL;
	struct vfio_region_info cfginfo = {
		.argsz = sizeof(cfginfo),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	struct vfio_info_cap_header *hdr;
	uint64_t memsize, bar, base = 0;
	uint32_t lo, hi, off, needed;
	char *map;
	int device;

	if (argc < 2 || argc > 3) {
		printf("usage: nvgrace-demo BDF [GPU_MEM_BASE]\n");
		return 1;
	}
	if (argc == 3)
		base = strtoull(argv[2], NULL, 0);
	device = open_device(argv[1]);

	printf("\nVFIO_DEVICE_GET_REGION_INFO, region index %d (BAR2):\n",
	       VFIO_PCI_BAR2_REGION_INDEX);
	info = calloc(1, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = VFIO_PCI_BAR2_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info))
		die("VFIO_DEVICE_GET_REGION_INFO");
	needed = info->argsz;
	printf("  argsz %zu is too small for the capabilities: the driver asks for %u\n",
	       sizeof(*info), needed);
	info = realloc(info, needed);
	memset(info, 0, needed);
	info->argsz = needed;
	info->index = VFIO_PCI_BAR2_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info))
		die("VFIO_DEVICE_GET_REGION_INFO");
	printf("  size %#llx, file offset %#llx, flags %s%s%s%s\n",
	       (unsigned long long)info->size,
	       (unsigned long long)info->offset,
	       info->flags & VFIO_REGION_INFO_FLAG_READ ? "READ " : "",
	       info->flags & VFIO_REGION_INFO_FLAG_WRITE ? "WRITE " : "",
	       info->flags & VFIO_REGION_INFO_FLAG_MMAP ? "MMAP " : "",
	       info->flags & VFIO_REGION_INFO_FLAG_CAPS ? "CAPS" : "");
	for (off = info->cap_offset; off; off = hdr->next) {
		hdr = (void *)((char *)info + off);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			sparse = (void *)hdr;
	}
	CHECK(sparse && sparse->nr_areas == 1, "no sparse mmap capability");
	if (!sparse)
		return 1;
	memsize = sparse->areas[0].size;
	printf("  sparse mmap area: offset %#llx size %#llx (%llu MiB of real GPU memory)\n",
	       (unsigned long long)sparse->areas[0].offset,
	       (unsigned long long)memsize,
	       (unsigned long long)memsize >> 20);
	printf("  BAR padding %#llx..%#llx is not mappable\n",
	       (unsigned long long)memsize,
	       (unsigned long long)info->size - 1);

	printf("\nEmulated BAR2/BAR3 in PCI config space:\n");
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &cfginfo))
		die("config region info");
	lo = cfg_read32(device, cfginfo.offset, PCI_BASE_ADDRESS_2);
	printf("  BAR2 reads %#010x: 64-bit %s memory BAR\n", lo,
	       lo & PCI_BASE_ADDRESS_MEM_PREFETCH ? "prefetchable" : "non-prefetchable");
	cfg_write32(device, cfginfo.offset, PCI_BASE_ADDRESS_2, ~0U);
	cfg_write32(device, cfginfo.offset, PCI_BASE_ADDRESS_3, ~0U);
	lo = cfg_read32(device, cfginfo.offset, PCI_BASE_ADDRESS_2);
	hi = cfg_read32(device, cfginfo.offset, PCI_BASE_ADDRESS_3);
	bar = ((uint64_t)hi << 32 | lo) & PCI_BASE_ADDRESS_MEM_MASK;
	printf("  after writing all-ones: %#010x %#010x -> BAR size %#llx\n",
	       lo, hi, (unsigned long long)(~bar + 1));
	CHECK(~bar + 1 == info->size, "BAR sizing does not match the region");
	cfg_write32(device, cfginfo.offset, PCI_BASE_ADDRESS_2, 0);
	cfg_write32(device, cfginfo.offset, PCI_BASE_ADDRESS_3, 0);

	printf("\nmmap of the whole GPU memory (%llu MiB), populated on fault:\n",
	       (unsigned long long)memsize >> 20);
	map = mmap(NULL, memsize, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		   info->offset);
	if (map == MAP_FAILED)
		die("mmap");
	if (base)
		show_pat(base);
	memcpy(map + (1 << 20), msg1, sizeof(msg1));
	hexdump("stored at 1 MiB via mmap:", (void *)msg1, sizeof(msg1));
	memset(buf, 0, sizeof(buf));
	if (pread(device, buf, sizeof(msg1), info->offset + (1 << 20)) != sizeof(msg1))
		die("pread");
	hexdump("pread at 1 MiB:", buf, sizeof(msg1));
	CHECK(!memcmp(buf, msg1, sizeof(msg1)), "pread differs from mmap");

	if (pwrite(device, msg2, sizeof(msg2), info->offset + memsize - 4096) != sizeof(msg2))
		die("pwrite");
	hexdump("pwrite at the last page:", (void *)msg2, sizeof(msg2));
	hexdump("read via mmap:", (void *)(map + memsize - 4096), sizeof(msg2));
	CHECK(!memcmp(map + memsize - 4096, msg2, sizeof(msg2)),
	      "mmap differs from pwrite");

	printf("\nread/write in the BAR padding (past the real memory):\n");
	if (pwrite(device, msg2, sizeof(msg2), info->offset + memsize) != sizeof(msg2))
		die("pwrite in the padding");
	printf("  pwrite of %zu bytes at %#llx: accepted and dropped\n",
	       sizeof(msg2), (unsigned long long)memsize);
	if (pread(device, buf, 16, info->offset + memsize) != 16)
		die("pread in the padding");
	hexdump("pread at the memory end:", buf, 16);
	CHECK(buf[0] == 0xff && !memcmp(buf, buf + 1, 15), "padding is not all-ones");
	errno = 0;
	CHECK(pread(device, buf, 16, info->offset + info->size) < 0 && errno == EINVAL,
	      "pread at the BAR end did not fail with EINVAL");
	printf("  pread at the BAR end (%#llx): %s\n",
	       (unsigned long long)info->size, strerror(errno));
	errno = 0;
	CHECK(mmap(NULL, 8192, PROT_READ, MAP_SHARED, device,
		   info->offset + memsize - 4096) == MAP_FAILED && errno == EINVAL,
	      "mmap past the memory did not fail with EINVAL");
	printf("  mmap of 2 pages at the last page of memory: %s\n", strerror(errno));

	if (base)
		poison(map, device, info->offset, base, 8 << 20);
	munmap(map, memsize);

	printf("\nCost of mmap() + munmap() (average of 200, emulated CPU):\n");
	printf("  4 KiB:   %8.0f ns\n", time_mmap(device, info->offset, 4096));
	printf("  %3llu MiB: %8.0f ns (pages are inserted on fault, not at mmap)\n",
	       (unsigned long long)memsize >> 20,
	       time_mmap(device, info->offset, memsize));

	close(device);
	printf("\n%s\n", failures ? "demo FAILED" : "demo OK");
	return failures ? 1 : 0;
}
