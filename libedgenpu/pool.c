// SPDX-License-Identifier: MIT
/*
 * One model on several NPUs: compiled once (for the first device), loaded
 * on every device from that compiled image (each checked against its
 * device's capabilities), and independent inferences spread over them,
 * to the device with the fewest runs in flight or in turn. A device that
 * cannot take a run (all its slots busy, or failing) is passed over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model.h"
#include "npu.h"

struct enpu_pool {
	struct enpu_model **models;
	size_t n;
	enum enpu_pool_policy policy;
	size_t next;		/* round robin: the next device's index */
};

ENPU_EXPORT void enpu_pool_destroy(struct enpu_pool *pool)
{
	size_t i;

	if (!pool)
		return;
	for (i = 0; pool->models && i < pool->n; i++)
		enpu_model_destroy(pool->models[i]);
	free(pool->models);
	free(pool);
}

ENPU_EXPORT int enpu_pool_load(struct enpu_device *const *devs, size_t ndev,
			       const char *path, const struct enpu_compile_options *opt,
			       enum enpu_pool_policy policy, struct enpu_pool **out)
{
	struct enpu_pool *pool;
	void *image = NULL;
	size_t size = 0, i;
	int ret;

	if (!out || !devs || !path)
		return enpu_fail(-EINVAL, "enpu_pool_load: NULL argument");
	*out = NULL;
	if (!ndev || ndev > ENPU_POOL_MAX_DEVICES)
		return enpu_fail(-EINVAL, "enpu_pool_load: %zu devices (1 to %u)", ndev,
				 ENPU_POOL_MAX_DEVICES);
	if (policy != ENPU_POOL_LEAST_LOADED && policy != ENPU_POOL_ROUND_ROBIN)
		return enpu_fail(-EINVAL, "enpu_pool_load: unknown policy %d", (int)policy);
	for (i = 0; i < ndev; i++)
		if (!devs[i])
			return enpu_fail(-EINVAL, "enpu_pool_load: device %zu is NULL", i);
	pool = calloc(1, sizeof(*pool));
	if (pool)
		pool->models = calloc(ndev, sizeof(*pool->models));
	if (!pool || !pool->models) {
		free(pool);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	pool->n = ndev;
	pool->policy = policy;
	ret = enpu_model_load(devs[0], path, opt, &pool->models[0]);
	if (!ret && enpu_model_num_variables(pool->models[0]))
		ret = enpu_fail(-EINVAL, "%s keeps state across inferences (%zu variable "
				"tensors, as SVDF's): each inference reads what the one before "
				"left, so they cannot be spread over devices; load it with "
				"enpu_model_load()", path,
				enpu_model_num_variables(pool->models[0]));
	if (!ret)
		ret = enpu_model_save_mem(pool->models[0], &image, &size);
	for (i = 1; !ret && i < ndev; i++) {
		ret = enpu_model_load_mem(devs[i], image, size, opt, &pool->models[i]);
		if (ret) {
			char why[768];

			snprintf(why, sizeof(why), "%s", enpu_last_error());
			ret = enpu_fail(ret, "device %zu of the pool: %s", i, why);
		}
	}
	free(image);
	if (ret) {
		enpu_pool_destroy(pool);
		return ret;
	}
	*out = pool;
	return 0;
}

ENPU_EXPORT size_t enpu_pool_size(const struct enpu_pool *pool)
{
	return pool ? pool->n : 0;
}

ENPU_EXPORT struct enpu_model *enpu_pool_model(struct enpu_pool *pool, size_t i)
{
	if (!pool || i >= pool->n) {
		enpu_fail(-EINVAL, "enpu_pool_model: no device %zu", i);
		return NULL;
	}
	return pool->models[i];
}

/* The devices in the order to try them for the next run. */
static void pool_order(struct enpu_pool *pool, size_t *order)
{
	size_t i, k, n = pool->n, start = pool->next % n;

	for (i = 0; i < n; i++)
		order[i] = (start + i) % n;
	if (pool->policy != ENPU_POOL_LEAST_LOADED)
		return;
	/* fewest in flight first; ties keep the rotation, so equals take turns */
	for (i = 1; i < n; i++) {
		size_t d = order[i];
		unsigned int load = enpu_npu_inflight(pool->models[d]);

		for (k = i; k > 0 && enpu_npu_inflight(pool->models[order[k - 1]]) > load; k--)
			order[k] = order[k - 1];
		order[k] = d;
	}
}

ENPU_EXPORT int enpu_pool_submit(struct enpu_pool *pool, const void *const *inputs,
				 struct enpu_run **run)
{
	size_t order[ENPU_POOL_MAX_DEVICES], i;
	char first[512] = "";
	int ret = -EBUSY, busy = 0;

	if (!pool || !run)
		return enpu_fail(-EINVAL, "enpu_pool_submit: NULL argument");
	*run = NULL;
	pool_order(pool, order);
	for (i = 0; i < pool->n; i++) {
		ret = enpu_model_submit(pool->models[order[i]], inputs, run);
		if (!ret) {
			pool->next = order[i] + 1;
			return 0;
		}
		if (ret == -EINVAL)
			return ret;	/* the inputs: the same on every device */
		if (ret == -EBUSY)
			busy++;
		else if (!first[0])
			snprintf(first, sizeof(first), "%s", enpu_last_error());
	}
	if (busy == (int)pool->n)
		return enpu_fail(-EBUSY, "all %zu devices of the pool have their max_inflight "
				 "runs in flight: wait for one", pool->n);
	return enpu_fail(ret, "no device of the pool took the run: %s", first);
}
