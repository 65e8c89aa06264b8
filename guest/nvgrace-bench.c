// SPDX-License-Identifier: GPL-2.0
/*
 * What a VMM pays to use the GPU memory region of nvgrace-gpu-vfio-pci,
 * measured side by side in one run. Prints figures, never pass/fail:
 *
 *   P1  mmap + munmap of the whole memory, against one page
 *   P2  first touch of every page of 64 MiB through a fresh mapping (one
 *       8-byte load per page), against a second pass over the populated
 *       mapping, and the page faults the first pass took
 *   P3  pread and pwrite of 64 MiB in 1 MiB chunks, against memcpy
 *       through the mapping
 *   DMA VFIO_IOMMU_MAP_DMA of a fresh mapping of the whole memory, as a
 *       VMM does at VM start for peer-to-peer DMA, and the faults it took;
 *       of the same mapping, populated; of as much populated anonymous
 *       memory, for comparison
 *
 *   nvgrace-bench BDF
 *
 * Every line starts with "# bench" so that the harness copies it to the
 * check log. Exits non-zero only if the device cannot be used at all. It
 * overwrites the first 64 MiB of the GPU memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio-group.h"

#define MIB		(1UL << 20)
#define TOUCH_SIZE	(64 * MIB)
#define CHUNK		MIB

static void die(const char *what)
{
	printf("# bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static size_t page_size;

static void *map_mem(int device, uint64_t offset, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		       offset);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Time of one mmap() + munmap() of @len bytes, in microseconds */
static double time_mmap(int device, uint64_t offset, size_t len)
{
	double t0 = now();

	munmap(map_mem(device, offset, len), len);
	return (now() - t0) * 1e6;
}

/*
 * Time of one mmap() + munmap() of @len bytes of shared anonymous memory,
 * in microseconds: the same system calls on a mapping no driver handles
 */
static double time_mmap_anon(size_t len)
{
	double t0 = now();
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	munmap(p, len);
	return (now() - t0) * 1e6;
}

/* One 8-byte load per page of [@p, @p + @len); returns the time in s */
static double touch(const char *p, size_t len)
{
	volatile uint64_t sink = 0;
	double t0 = now();
	size_t off;

	for (off = 0; off < len; off += page_size)
		sink += *(volatile const uint64_t *)(p + off);
	(void)sink;
	return now() - t0;
}

enum op { OP_PREAD, OP_LOAD, OP_PWRITE, OP_STORE };

/*
 * Time to move TOUCH_SIZE bytes in CHUNK pieces between @buf and the GPU
 * memory: through the region (pread/pwrite at @region) or through its
 * mapping @map (memcpy), in seconds
 */
static double time_chunks(int device, uint64_t region, char *map, char *buf,
			  enum op op)
{
	double t0 = now();
	size_t off;
	ssize_t n;

	for (off = 0; off < TOUCH_SIZE; off += CHUNK) {
		switch (op) {
		case OP_PREAD:
			n = pread(device, buf, CHUNK, region + off);
			break;
		case OP_PWRITE:
			n = pwrite(device, buf, CHUNK, region + off);
			break;
		case OP_LOAD:
			n = CHUNK;
			memcpy(buf, map + off, CHUNK);
			break;
		default:
			n = CHUNK;
			memcpy(map + off, buf, CHUNK);
			break;
		}
		if (n != (ssize_t)CHUNK)
			die(op == OP_PREAD ? "pread" : "pwrite");
	}
	return now() - t0;
}

static double mib_per_s(size_t len, double s)
{
	return len / (double)MIB / s;
}

int main(int argc, char **argv)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_dma_map dma = { .argsz = sizeof(dma) };
	double t_small, t_all, t1, t2, t, t_rd, t_wr, t_cprd, t_cpwr;
	int container, device;
	uint64_t region, memsize;
	const char *step;
	long f0, faults;
	char *map, *buf;
	int i;

	if (argc != 2) {
		printf("usage: nvgrace-bench BDF\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	device = vfio_gpu_mem_open(argv[1], &container, &region, &memsize,
				   &step);
	if (device < 0)
		die(step);
	if (memsize < TOUCH_SIZE) {
		errno = ENOSPC;
		die("the GPU memory is smaller than 64 MiB");
	}
	printf("# bench: %s, BAR2 %llu MiB of GPU memory, page size %zu\n",
	       argv[1], (unsigned long long)memsize / MIB, page_size);

	/* P1: alternated, so that both see the same state of the system */
	t_small = t_all = 0;
	for (i = 0; i < 200; i++) {
		t_small += time_mmap(device, region, page_size) / 200;
		t_all += time_mmap(device, region, memsize) / 200;
	}
	printf("# bench P1 mmap+munmap: one page %.1f us, %llu MiB %.1f us, ratio %.2f (goal <= 1.1)\n",
	       t_small, (unsigned long long)memsize / MIB, t_all,
	       t_all / t_small);
	/*
	 * Where a size dependence comes from: the same for shared anonymous
	 * memory, which no driver handles, and the sizes in between
	 */
	{
		size_t lens[] = { page_size, 2 * MIB, 64 * MIB, memsize };
		double dev[4] = { 0 }, anon[4] = { 0 };
		unsigned int j;

		for (i = 0; i < 20; i++)
			for (j = 0; j < 4; j++) {
				dev[j] += time_mmap(device, region, lens[j]) / 20;
				anon[j] += time_mmap_anon(lens[j]) / 20;
			}
		printf("# bench P1 by size (4 KiB, 2 MiB, 64 MiB, %llu MiB): BAR2 %.1f %.1f %.1f %.1f us; shared anonymous %.1f %.1f %.1f %.1f us\n",
		       (unsigned long long)memsize / MIB, dev[0], dev[1], dev[2],
		       dev[3], anon[0], anon[1], anon[2], anon[3]);
	}

	/* P2 */
	map = map_mem(device, region, TOUCH_SIZE);
	f0 = minflt();
	t1 = touch(map, TOUCH_SIZE);
	faults = minflt() - f0;
	t2 = touch(map, TOUCH_SIZE);
	printf("# bench P2 touch 64 MiB: first pass %.1f ms (%ld faults, %.1f pages per fault), second pass %.1f ms, ratio %.2f (goal <= 2)\n",
	       t1 * 1e3, faults,
	       faults ? TOUCH_SIZE / page_size / (double)faults : 0,
	       t2 * 1e3, t1 / t2);

	/*
	 * P3, on the mapping that P2 populated. The emulator's first store
	 * to a guest page takes a slow path that later stores do not: store
	 * to all of it once before timing, so that pwrite and memcpy are
	 * compared on equal terms whichever of them comes first.
	 */
	buf = malloc(CHUNK);
	if (!buf)
		die("malloc");
	memset(buf, 0x5a, CHUNK);
	memset(map, 0, TOUCH_SIZE);
	t_rd = time_chunks(device, region, map, buf, OP_PREAD);
	t_cprd = time_chunks(device, region, map, buf, OP_LOAD);
	t_wr = time_chunks(device, region, map, buf, OP_PWRITE);
	t_cpwr = time_chunks(device, region, map, buf, OP_STORE);
	printf("# bench P3 64 MiB in 1 MiB chunks: pread %.0f MiB/s vs memcpy %.0f MiB/s, ratio %.2f; pwrite %.0f MiB/s vs memcpy %.0f MiB/s, ratio %.2f (goal >= 0.5)\n",
	       mib_per_s(TOUCH_SIZE, t_rd), mib_per_s(TOUCH_SIZE, t_cprd),
	       t_cprd / t_rd, mib_per_s(TOUCH_SIZE, t_wr),
	       mib_per_s(TOUCH_SIZE, t_cpwr), t_cpwr / t_wr);
	munmap(map, TOUCH_SIZE);
	free(buf);

	/*
	 * DMA map of a fresh mapping of the whole memory (faults included),
	 * of the same mapping again (populated: the pfn lookups alone), and
	 * of as much populated anonymous memory, which must be pinned and
	 * accounted page by page
	 */
	map = map_mem(device, region, memsize);
	for (i = 0; i < 3; i++) {
		char *mem = map;

		if (i == 2) {
			mem = mmap(NULL, memsize, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				   -1, 0);
			if (mem == MAP_FAILED)
				die("mmap of anonymous memory");
		}
		dma.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		dma.vaddr = (uintptr_t)mem;
		dma.iova = 1ULL << 32;
		dma.size = memsize;
		f0 = minflt();
		t = now();
		if (ioctl(container, VFIO_IOMMU_MAP_DMA, &dma))
			die("VFIO_IOMMU_MAP_DMA");
		t = now() - t;
		faults = minflt() - f0;
		unmap.iova = dma.iova;
		unmap.size = dma.size;
		t1 = now();
		if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
			die("VFIO_IOMMU_UNMAP_DMA");
		t1 = now() - t1;
		printf("# bench DMA VFIO_IOMMU_MAP_DMA of %llu MiB %s: %.1f ms (%ld faults), UNMAP_DMA %.1f ms\n",
		       (unsigned long long)memsize / MIB,
		       i == 0 ? "of BAR2, fresh mapping" :
		       i == 1 ? "of BAR2, populated mapping" :
		       "of populated anonymous memory",
		       t * 1e3, faults, t1 * 1e3);
		if (i == 2)
			munmap(mem, memsize);
	}
	munmap(map, memsize);

	close(device);
	close(container);
	return 0;
}
