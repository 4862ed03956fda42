// SPDX-License-Identifier: MIT
/*
 * Loading models from files (TFLite or compiled, through the compile cache)
 * and saving compiled models.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "model_file.h"
#include "npu.h"
#include "sha256.h"

/* A model read from a file, planned and checked, made to run on @dev. */
static int attach_device(struct enpu_model *m, struct enpu_device *dev)
{
	struct enpu_target have;
	char why[512];
	int ret;

	ret = enpu_target_from_device(dev, &have);
	if (ret)
		return ret;
	if (enpu_target_compare(&m->target, &have, why, sizeof(why)))
		return enpu_fail(-ENODEV, "the model was compiled for target '%s', which %s "
				 "is not: %s. Compile it for this device: edgenpu-compile -d %s "
				 "-o FILE.enpu MODEL.tflite (or on another machine with -t and "
				 "the file 'edgenpu-info --target' writes here)", m->target.name,
				 dev->info.node, why, dev->info.node);
	m->dev = dev;
	return enpu_npu_upload(m);
}

/* A checked compiled-model image, for @dev or the CPU backend. */
static int load_compiled(struct enpu_device *dev, const void *data, size_t size,
			 const struct enpu_compile_options *opt, struct enpu_model **out)
{
	struct enpu_model *m;
	int ret;

	ret = enpu_file_read(data, size, opt, &m);
	if (ret)
		return ret;
	if (dev) {
		ret = attach_device(m, dev);
	} else {
		enpu_npu_destroy(m);
		ret = enpu_model_cpu_backend(m);
	}
	if (ret) {
		enpu_model_destroy(m);
		return ret;
	}
	*out = m;
	return 0;
}

static int load_tflite(struct enpu_device *dev, const void *data, size_t size,
		       const struct enpu_compile_options *opt, struct enpu_model **out)
{
	uint8_t source[32], key[32];
	struct enpu_target t;
	struct enpu_graph *g;
	struct enpu_model *m = NULL;
	int ret;

	enpu_sha256(data, size, source);
	if (dev) {
		ret = enpu_target_from_device(dev, &t);
		if (ret)
			return ret;
		enpu_cache_key(source, &t, opt ? opt->flags : 0, key);
		enpu_cache_lookup(&t, key, source, opt, &m);
		if (m) {
			ret = attach_device(m, dev);
			if (ret) {
				enpu_model_destroy(m);
				return ret;
			}
			*out = m;
			return 0;
		}
	}
	ret = enpu_model_load_tflite_mem(data, size, &g);
	if (ret)
		return ret;
	ret = enpu_model_compile_for(dev, NULL, g, opt, &m);
	enpu_graph_destroy(g);
	if (ret)
		return ret;
	m->has_source = 1;
	memcpy(m->source_sha256, source, sizeof(source));
	if (dev)
		enpu_cache_store(m, key);
	*out = m;
	return 0;
}

ENPU_EXPORT int enpu_model_load_mem(struct enpu_device *dev, const void *data, size_t size,
				    const struct enpu_compile_options *opt,
				    struct enpu_model **model)
{
	if (!model || !data)
		return enpu_fail(-EINVAL, "enpu_model_load_mem: NULL argument");
	*model = NULL;
	if (opt && opt->size < sizeof(size_t) + sizeof(uint32_t))
		return enpu_fail(-EINVAL, "enpu_compile_options.size is %zu", opt->size);
	if (enpu_file_is_compiled(data, size))
		return load_compiled(dev, data, size, opt, model);
	if (size < 8 || memcmp((const uint8_t *)data + 4, "TFL3", 4))
		return enpu_fail(-EINVAL, "neither a TFLite model (no TFL3 identifier) nor a "
				 "compiled-model file (no ENPUMODL header)");
	return load_tflite(dev, data, size, opt, model);
}

ENPU_EXPORT int enpu_model_load(struct enpu_device *dev, const char *path,
				const struct enpu_compile_options *opt,
				struct enpu_model **model)
{
	char why[768];
	size_t size;
	void *p;
	int ret;

	if (!path || !model)
		return enpu_fail(-EINVAL, "enpu_model_load: NULL argument");
	*model = NULL;
	ret = enpu_map_file(path, &p, &size);
	if (ret)
		return ret;
	ret = enpu_model_load_mem(dev, p, size, opt, model);
	enpu_unmap_file(p, size);
	if (ret) {
		snprintf(why, sizeof(why), "%s", enpu_last_error());
		if (strncmp(why, path, strlen(path)))
			return enpu_fail(ret, "%s: %s", path, why);
		return ret;
	}
	return 0;
}

ENPU_EXPORT int enpu_model_save_mem(const struct enpu_model *m, void **data, size_t *size)
{
	if (!m || !data || !size)
		return enpu_fail(-EINVAL, "enpu_model_save_mem: NULL argument");
	return enpu_file_write(m, data, size);
}

ENPU_EXPORT int enpu_model_save(const struct enpu_model *m, const char *path)
{
	char tmp[4200];
	size_t size = 0, done = 0;
	void *data;
	int fd, ret;

	if (!m || !path)
		return enpu_fail(-EINVAL, "enpu_model_save: NULL argument");
	if (strlen(path) > 4000)
		return enpu_fail(-ENAMETOOLONG, "enpu_model_save: path too long");
	ret = enpu_file_write(m, &data, &size);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(data);
		return enpu_fail(ret, "cannot create a file beside %s: %s", path,
				 enpu_strerror(ret));
	}
	while (done < size) {
		ssize_t n = write(fd, (uint8_t *)data + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	ret = done == size ? 0 : -(errno ? errno : EIO);
	free(data);
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return enpu_fail(ret, "cannot write %s: %s", path, enpu_strerror(ret));
	}
	return 0;
}

ENPU_EXPORT enum enpu_model_origin enpu_model_origin(const struct enpu_model *m)
{
	return m ? m->origin : ENPU_ORIGIN_COMPILED;
}
