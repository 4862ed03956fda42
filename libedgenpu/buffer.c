// SPDX-License-Identifier: MIT
/* Device buffers: allocation, dma-buf import/export, CPU mapping, waits. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drm/edgenpu_accel.h"
#include "internal.h"

int enpu_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

static void close_handle(struct enpu_device *dev, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	enpu_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static int wrap(struct enpu_device *dev, uint32_t handle, uint64_t size,
		uint64_t va, struct enpu_buffer **out)
{
	struct enpu_buffer *b = calloc(1, sizeof(*b));

	if (!b) {
		if (va) {
			struct drm_edgenpu_vm_unmap u = { .va = va };

			enpu_ioctl(dev->fd, DRM_IOCTL_EDGENPU_VM_UNMAP, &u);
		}
		close_handle(dev, handle);
		return enpu_fail(-ENOMEM, "out of memory");
	}
	b->dev = dev;
	b->handle = handle;
	b->size = size;
	b->va = va;
	*out = b;
	return 0;
}

ENPU_EXPORT int enpu_buffer_alloc(struct enpu_device *dev, size_t size,
				  uint32_t flags, struct enpu_buffer **buf)
{
	struct drm_edgenpu_bo_create c = { .size = size };
	int ret;

	if (!dev || !buf)
		return enpu_fail(-EINVAL, "enpu_buffer_alloc: %s is NULL", dev ? "buf" : "dev");
	if (flags & ~ENPU_BUFFER_NPU_READ_ONLY)
		return enpu_fail(-EINVAL, "enpu_buffer_alloc: unknown flags 0x%x", flags);
	if (!size)
		return enpu_fail(-EINVAL, "enpu_buffer_alloc: size is 0");
	c.flags = DRM_EDGENPU_BO_CREATE_MAP |
		  (flags & ENPU_BUFFER_NPU_READ_ONLY ? DRM_EDGENPU_BO_CREATE_READ_ONLY : 0);
	ret = enpu_ioctl(dev->fd, DRM_IOCTL_EDGENPU_BO_CREATE, &c);
	if (ret)
		return enpu_fail(ret, "cannot allocate a %zu-byte buffer: %s", size,
				 ret == -ENOSPC ? "the NPU address space is full" :
				 enpu_strerror(ret));
	return wrap(dev, c.handle, c.size, c.va, buf);
}

ENPU_EXPORT int enpu_buffer_import(struct enpu_device *dev, int dmabuf_fd,
				   uint32_t flags, struct enpu_buffer **buf)
{
	struct drm_edgenpu_vm_map map = { 0 };
	uint32_t handle;
	off_t size;
	int ret;

	if (!dev || !buf)
		return enpu_fail(-EINVAL, "enpu_buffer_import: %s is NULL", dev ? "buf" : "dev");
	if (flags & ~ENPU_BUFFER_NPU_READ_ONLY)
		return enpu_fail(-EINVAL, "enpu_buffer_import: unknown flags 0x%x", flags);
	size = lseek(dmabuf_fd, 0, SEEK_END);
	if (size <= 0)
		return enpu_fail(-EINVAL, "fd %d is not a dma-buf (cannot size it)", dmabuf_fd);
	if (drmPrimeFDToHandle(dev->fd, dmabuf_fd, &handle))
		return enpu_fail(-errno, "cannot import dma-buf fd %d: %s", dmabuf_fd,
				 enpu_strerror(-errno));
	map.handle = handle;
	map.flags = flags & ENPU_BUFFER_NPU_READ_ONLY ? DRM_EDGENPU_VM_MAP_READ_ONLY : 0;
	ret = enpu_ioctl(dev->fd, DRM_IOCTL_EDGENPU_VM_MAP, &map);
	if (ret) {
		close_handle(dev, handle);
		return enpu_fail(ret, "cannot map imported dma-buf into the NPU: %s",
				 enpu_strerror(ret));
	}
	return wrap(dev, handle, (uint64_t)size, map.va, buf);
}

ENPU_EXPORT int enpu_buffer_export(struct enpu_buffer *buf, int *fd)
{
	if (!buf || !fd)
		return enpu_fail(-EINVAL, "enpu_buffer_export: NULL argument");
	if (drmPrimeHandleToFD(buf->dev->fd, buf->handle, DRM_CLOEXEC | DRM_RDWR, fd))
		return enpu_fail(-errno, "cannot export buffer as dma-buf: %s",
				 enpu_strerror(-errno));
	return 0;
}

ENPU_EXPORT int enpu_buffer_map(struct enpu_buffer *buf, void **ptr)
{
	struct drm_edgenpu_bo_info info = { 0 };
	void *p;
	int ret;

	if (!buf || !ptr)
		return enpu_fail(-EINVAL, "enpu_buffer_map: NULL argument");
	if (!buf->cpu) {
		info.handle = buf->handle;
		ret = enpu_ioctl(buf->dev->fd, DRM_IOCTL_EDGENPU_BO_INFO, &info);
		if (ret)
			return enpu_fail(ret, "BO_INFO failed: %s", enpu_strerror(ret));
		p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 buf->dev->fd, (off_t)info.mmap_offset);
		if (p == MAP_FAILED)
			return enpu_fail(-errno, "cannot mmap a %llu-byte buffer: %s",
					 (unsigned long long)buf->size, enpu_strerror(-errno));
		buf->cpu = p;
	}
	*ptr = buf->cpu;
	return 0;
}

ENPU_EXPORT int enpu_buffer_wait(struct enpu_buffer *buf, int64_t timeout_ns)
{
	struct drm_edgenpu_bo_wait w = { 0 };
	int ret;

	if (!buf)
		return enpu_fail(-EINVAL, "enpu_buffer_wait: buf is NULL");
	w.handle = buf->handle;
	w.timeout_ns = timeout_ns < 0 ? INT64_MAX : timeout_ns;
	ret = enpu_ioctl(buf->dev->fd, DRM_IOCTL_EDGENPU_BO_WAIT, &w);
	if (ret == -ETIME || ret == -EBUSY)
		return enpu_fail(-ETIME, "buffer still in use by the NPU after %lld ns",
				 (long long)timeout_ns);
	if (ret)
		return enpu_fail(ret, "BO_WAIT failed: %s", enpu_strerror(ret));
	return 0;
}

ENPU_EXPORT size_t enpu_buffer_size(const struct enpu_buffer *buf)
{
	return buf ? (size_t)buf->size : 0;
}

ENPU_EXPORT uint64_t enpu_buffer_npu_address(const struct enpu_buffer *buf)
{
	return buf ? buf->va : 0;
}

ENPU_EXPORT void enpu_buffer_free(struct enpu_buffer *buf)
{
	struct drm_edgenpu_vm_unmap u = { 0 };

	if (!buf)
		return;
	if (buf->cpu)
		munmap(buf->cpu, buf->size);
	if (buf->va) {
		u.va = buf->va;
		enpu_ioctl(buf->dev->fd, DRM_IOCTL_EDGENPU_VM_UNMAP, &u);
	}
	close_handle(buf->dev, buf->handle);
	free(buf);
}
