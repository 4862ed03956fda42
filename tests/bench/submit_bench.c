// SPDX-License-Identifier: GPL-2.0-only
/*
 * Submit latency against the size of the address space: one 1 MiB command
 * stream of DMA_FILLs, each into another mapping of one buffer, submitted
 * into an address space of 10 mappings and of 100,000. The kernel looks
 * every region up among the file's mappings: with a list that was linear
 * (~1,500x slower at 20,000 mappings); with drm_mm's interval tree it is
 * logarithmic. Runs in the guest (make bench); prints guest wall time,
 * the median of several submissions, and the ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_clock.h"
#include "edgenpu_job_util.h"

#define RUNS	7

/*
 * Median milliseconds of SUBMIT for the stream over @nmaps mappings of one
 * buffer (the job waits for the previous one to end first).
 */
static int measure(unsigned int nmaps, double *median, unsigned int *cmds)
{
	const uint32_t fill_words = sizeof(struct enpu_cmd_dma_fill) / 4;
	const uint32_t words = ENPU_MAX_CMD_SIZE / 4;
	uint32_t *stream = calloc(words, 4), *vas = calloc(nmaps, 4);
	struct drm_edgenpu_bo_ref ref;
	struct drm_edgenpu_submit s;
	struct drm_edgenpu_job u;
	struct drm_edgenpu_job_info info;
	double t[RUNS];
	uint32_t n = 0, i;
	uint64_t va;
	struct tbo b;
	int fd = edgenpu_open(), ret = -ENOMEM, r;

	if (fd < 0) {
		fprintf(stderr, "submit_bench: no EdgeNPU: %d\n", fd);
		return fd;
	}
	if (!stream || !vas)
		goto out;
	ret = tbo_create(fd, 4096, 0, &b);
	for (i = 0; !ret && i < nmaps; i++) {
		ret = tvm_map(fd, b.handle, 0, &va);
		vas[i] = (uint32_t)va;
	}
	if (ret) {
		fprintf(stderr, "submit_bench: mapping %u of %u: %d\n", i, nmaps, ret);
		goto out;
	}
	while (n + fill_words < words) {
		struct enpu_cmd_dma_fill *f = (void *)(stream + n);

		*f = (struct enpu_cmd_dma_fill){
			.hdr = ENPU_CMD_HDR(ENPU_OP_DMA_FILL, fill_words),
			.dst = vas[(n / fill_words) % nmaps], .value = 1,
			.row_bytes = 1, .rows = 1, .planes = 1,
		};
		n += fill_words;
	}
	*cmds = n / fill_words;
	stream[n++] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	ref = (struct drm_edgenpu_bo_ref){ .handle = b.handle,
					   .flags = DRM_EDGENPU_BO_REF_WRITE };
	u = (struct drm_edgenpu_job){ .cmd_ptr = (uintptr_t)stream, .cmd_size = n * 4,
				      .bo_ptr = (uintptr_t)&ref, .bo_count = 1 };
	s = (struct drm_edgenpu_submit){ .jobs_ptr = (uintptr_t)&u, .job_count = 1,
					 .job_stride = sizeof(u) };
	for (r = 0; r < RUNS; r++) {
		double t0 = bench_now_ms();

		ret = enpu_ioctl(fd, DRM_IOCTL_EDGENPU_SUBMIT, &s);
		t[r] = bench_now_ms() - t0;
		if (!ret)
			ret = tjob_wait(fd, u.job_id, 60000, &info);
		if (ret || info.status != DRM_EDGENPU_JOB_OK) {
			fprintf(stderr, "submit_bench: run %d: %d, status %u\n", r, ret,
				info.status);
			ret = ret ? ret : -EIO;
			goto out;
		}
	}
	qsort(t, RUNS, sizeof(t[0]), bench_cmp_double);
	*median = t[RUNS / 2];
out:
	close(fd);
	free(stream);
	free(vas);
	return ret;
}

int main(void)
{
	double few, many;
	unsigned int cmds;

	if (measure(10, &few, &cmds) || measure(100000, &many, &cmds))
		return 1;
	printf("submit of one 1 MiB stream, %u DMA_FILLs each into another mapping (guest wall time, median of %d):\n",
	       cmds, RUNS);
	printf("  10 mappings       %8.2f ms\n", few);
	printf("  100,000 mappings  %8.2f ms\n", many);
	printf("  ratio             %8.2f\n", many / few);
	return 0;
}
