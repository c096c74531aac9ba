// SPDX-License-Identifier: GPL-2.0-only
/* Per-VM shared region: layout on the producer side, validated attach on the consumer side. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tracer/shm.h"

#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/* Compute every offset of a region for these sizes. */
static void shm_layout(struct pv_shm_hdr *h)
{
	uint64_t off = PV_SHM_PAGE;

	h->vcpu_ctr_stride = ALIGN_UP(sizeof(struct pv_vcpu_counters), PV_CACHELINE);
	h->dev_ctr_stride = ALIGN_UP(sizeof(struct pv_dev_counters), PV_CACHELINE);
	h->vcpu_ctr_off = off;
	off += h->vcpu_ctr_stride * h->nvcpus;
	h->dev_ctr_off = off;
	off += h->dev_ctr_stride * h->ndevs;
	h->vm_ctr_off = ALIGN_UP(off, PV_CACHELINE);
	off = h->vm_ctr_off + sizeof(struct pv_vm_counters);
	h->ring_stride = ALIGN_UP(pv_ring_bytes(h->ring_order), PV_SHM_PAGE);
	h->rings_off = ALIGN_UP(off, PV_SHM_PAGE);
	h->cons_off = h->rings_off + h->ring_stride * h->nrings;
	h->total_size = h->cons_off + ALIGN_UP(sizeof(struct pv_ring_cons) * h->nrings, PV_SHM_PAGE);
}

int pv_shm_create_fd(struct pv_shm *shm, int fd, const struct pv_shm_params *p)
{
	struct pv_shm_hdr h = {
		.magic = PV_SHM_MAGIC,
		.version_major = PV_SHM_VERSION_MAJOR,
		.version_minor = PV_SHM_VERSION_MINOR,
		.hdr_size = sizeof(struct pv_shm_hdr),
		.page_size = PV_SHM_PAGE,
		.rec_size = sizeof(struct pv_rec),
		.vmm_pid = (uint32_t)getpid(),
		.tsc_khz = p->tsc_khz,
	};
	struct stat st;
	uint32_t i;
	int seals;
	void *base;

	if (p->nvcpus < 1 || p->nvcpus > PV_MAX_VCPUS || p->ndevs > PV_SHM_MAX_DEVS ||
	    p->nextra_rings > PV_SHM_MAX_DEVS || p->ring_order < PV_RING_MIN_ORDER ||
	    p->ring_order > PV_RING_MAX_ORDER)
		return -EINVAL;
	h.nvcpus = p->nvcpus;
	h.ndevs = p->ndevs;
	h.nrings = 2 * p->nvcpus + p->nextra_rings;
	h.ring_order = p->ring_order;
	if (p->vm_name)
		strncpy(h.vm_name, p->vm_name, sizeof(h.vm_name) - 1);
	shm_layout(&h);

	if (fstat(fd, &st) < 0)
		return -errno;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return errno == EBADF ? -EBADF : -EINVAL;	/* not a sealable memfd */
	if (seals)
		return -EPERM;
	if (st.st_size != 0)
		return -EBUSY;
	if (ftruncate(fd, (off_t)h.total_size) < 0)
		return -errno;
	/* the size is part of the contract the consumer checks: nobody may change it */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	base = mmap(NULL, h.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;

	memset(shm, 0, sizeof(*shm));
	shm->fd = fd;
	shm->producer = true;
	shm->base = base;
	shm->size = h.total_size;
	shm->cons = (struct pv_ring_cons *)((char *)base + h.cons_off);
	shm->cons_size = h.total_size - h.cons_off;
	shm->hdr = h;
	for (i = 0; i < h.nrings; i++) {
		uint32_t producer = PV_VCPU_NONE;

		if (i < h.nvcpus)
			producer = i;
		else if (i < 2 * h.nvcpus)
			producer = (i - h.nvcpus) | PV_RING_GUEST_FLAG;
		pv_ring_init(pv_shm_ring(shm, i), h.ring_order, producer);
	}
	memcpy(base, &h, sizeof(h));
	return 0;
}

int pv_shm_create(struct pv_shm *shm, const struct pv_shm_params *p)
{
	int fd, err;

	fd = memfd_create("powervisor-trace", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	err = pv_shm_create_fd(shm, fd, p);
	if (err)
		close(fd);
	return err;
}

/* Every consumer-side check on an untrusted header; 0 when the layout is exactly ours. */
static int shm_check_hdr(const struct pv_shm_hdr *h, uint64_t real_size)
{
	struct pv_shm_hdr want;

	if (h->magic != PV_SHM_MAGIC)
		return -EINVAL;
	if (h->version_major != PV_SHM_VERSION_MAJOR)
		return -EPROTO;
	if (h->hdr_size < sizeof(*h) || h->hdr_size > PV_SHM_PAGE ||
	    h->page_size != PV_SHM_PAGE || h->rec_size != sizeof(struct pv_rec))
		return -EPROTO;
	if (h->nvcpus < 1 || h->nvcpus > PV_MAX_VCPUS || h->ndevs > PV_SHM_MAX_DEVS ||
	    h->nrings < 2 * h->nvcpus || h->nrings > 2 * h->nvcpus + PV_SHM_MAX_DEVS ||
	    h->ring_order < PV_RING_MIN_ORDER || h->ring_order > PV_RING_MAX_ORDER)
		return -EINVAL;
	/* recompute the layout ourselves and accept only exactly that */
	want = *h;
	shm_layout(&want);
	if (want.vcpu_ctr_off != h->vcpu_ctr_off || want.vcpu_ctr_stride != h->vcpu_ctr_stride ||
	    want.dev_ctr_off != h->dev_ctr_off || want.dev_ctr_stride != h->dev_ctr_stride ||
	    want.vm_ctr_off != h->vm_ctr_off || want.rings_off != h->rings_off ||
	    want.ring_stride != h->ring_stride || want.cons_off != h->cons_off ||
	    want.total_size != h->total_size || h->total_size != real_size)
		return -EINVAL;
	return 0;
}

int pv_shm_attach(struct pv_shm *shm, int fd)
{
	struct pv_shm_hdr h;
	struct stat st;
	void *base, *cons;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < (off_t)PV_SHM_PAGE)
		return -EINVAL;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -EIO;
	err = shm_check_hdr(&h, (uint64_t)st.st_size);
	if (err)
		return err;
	base = mmap(NULL, h.cons_off, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;
	cons = mmap(NULL, h.total_size - h.cons_off, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)h.cons_off);
	if (cons == MAP_FAILED) {
		err = -errno;
		munmap(base, h.cons_off);
		return err;
	}
	memset(shm, 0, sizeof(*shm));
	shm->fd = fd;
	shm->base = base;
	shm->size = h.cons_off;
	shm->cons = cons;
	shm->cons_size = h.total_size - h.cons_off;
	shm->hdr = h;	/* the private, validated copy: never re-read from shared memory */
	shm->hdr.vm_name[sizeof(shm->hdr.vm_name) - 1] = '\0';
	return 0;
}

void pv_shm_close(struct pv_shm *shm)
{
	if (!shm->base)
		return;
	/* the producer maps everything at once; the consumer maps two pieces */
	if (shm->producer) {
		munmap(shm->base, shm->hdr.total_size);
	} else {
		munmap(shm->base, shm->size);
		munmap(shm->cons, shm->cons_size);
	}
	close(shm->fd);
	memset(shm, 0, sizeof(*shm));
	shm->fd = -1;
}

void *pv_shm_ring(const struct pv_shm *shm, uint32_t i)
{
	if (i >= shm->hdr.nrings)
		return NULL;
	return (char *)shm->base + shm->hdr.rings_off + (uint64_t)i * shm->hdr.ring_stride;
}

struct pv_vcpu_counters *pv_shm_vcpu(const struct pv_shm *shm, uint32_t vcpu)
{
	if (vcpu >= shm->hdr.nvcpus)
		return NULL;
	return (struct pv_vcpu_counters *)((char *)shm->base + shm->hdr.vcpu_ctr_off +
					   (uint64_t)vcpu * shm->hdr.vcpu_ctr_stride);
}

struct pv_dev_counters *pv_shm_dev(const struct pv_shm *shm, uint32_t dev)
{
	if (dev >= shm->hdr.ndevs)
		return NULL;
	return (struct pv_dev_counters *)((char *)shm->base + shm->hdr.dev_ctr_off +
					  (uint64_t)dev * shm->hdr.dev_ctr_stride);
}

struct pv_vm_counters *pv_shm_vm(const struct pv_shm *shm)
{
	return (struct pv_vm_counters *)((char *)shm->base + shm->hdr.vm_ctr_off);
}

int pv_shm_producer(const struct pv_shm *shm, uint32_t i, struct pv_ring_prod *p)
{
	void *ring = pv_shm_ring(shm, i);

	if (!ring)
		return -EINVAL;
	return pv_ring_prod_attach(p, ring, &shm->cons[i]);
}

int pv_shm_reader(const struct pv_shm *shm, uint32_t i, struct pv_ring_reader *rd)
{
	void *ring = pv_shm_ring(shm, i);

	if (!ring)
		return -EINVAL;
	return pv_ring_reader_attach(rd, ring, shm->hdr.ring_stride, &shm->cons[i]);
}
