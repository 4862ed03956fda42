// SPDX-License-Identifier: MIT
/* Model files mapped for reading (TFLite and compiled-model files alike). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int enpu_map_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return enpu_fail(-errno, "cannot open %s: %s", path, enpu_strerror(-errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return enpu_fail(-EINVAL, "%s is not a non-empty regular file", path);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return enpu_fail(-errno, "cannot map %s: %s", path, enpu_strerror(-errno));
	*data = p;
	*size = (size_t)st.st_size;
	return 0;
}

void enpu_unmap_file(void *data, size_t size)
{
	munmap(data, size);
}
