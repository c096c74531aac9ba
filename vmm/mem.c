// SPDX-License-Identifier: GPL-2.0-only
/* Guest RAM backed by a memfd (shareable with a device process later, sealable). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "vmm/mem.h"

int mem_create(struct mem *m, uint64_t size)
{
	int err;

	m->fd = -1;
	m->host = NULL;
	m->size = 0;
	if (size < MIN_MEM_BYTES || size > MAX_MEM_BYTES || (size & 0xfff))
		return -EINVAL;
	m->fd = memfd_create("pv-vmm-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)size) < 0)
		goto out_close_fd;
	/* MAP_NORESERVE: pages are touched on demand; start-up must not fault in all of RAM */
	m->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (m->host == MAP_FAILED) {
		m->host = NULL;
		goto out_close_fd;
	}
	m->size = size;
	return 0;

out_close_fd:
	err = -errno;
	close(m->fd);
	m->fd = -1;
	return err;
}

void mem_destroy(struct mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->fd = -1;
	m->size = 0;
}

void *mem_gpa(const struct mem *m, uint64_t gpa, uint64_t len)
{
	if (!m->host || gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

int mem_write(const struct mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *dst = mem_gpa(m, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int mem_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	unsigned int shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}
