// SPDX-License-Identifier: GPL-2.0-only
/* Saved binary traces: writer (provisional header, records, final header) and checked reader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tracer/tracefile.h"

#define FNV_OFFSET	2166136261u
#define FNV_PRIME	16777619u

struct pv_tracefile_writer {
	FILE *f;
	struct pv_tracefile_hdr hdr;
	int err;			/* first write error */
};

struct pv_tracefile_reader {
	FILE *f;
	struct pv_tracefile_hdr hdr;
	uint64_t left;			/* records not yet read */
	struct pv_consume_ctx ctx;
	struct pv_consume_stats st;
};

uint32_t pv_tracefile_csum(const struct pv_tracefile_hdr *h)
{
	struct pv_tracefile_hdr c = *h;
	const unsigned char *p = (const unsigned char *)&c;
	uint32_t x = FNV_OFFSET;
	size_t i;

	c.hdr_csum = 0;
	for (i = 0; i < sizeof(c); i++)
		x = (x ^ p[i]) * FNV_PRIME;
	return x;
}

static int tracefile_put_hdr(struct pv_tracefile_writer *w)
{
	w->hdr.hdr_csum = pv_tracefile_csum(&w->hdr);
	if (fseeko(w->f, 0, SEEK_SET) < 0 || fwrite(&w->hdr, sizeof(w->hdr), 1, w->f) != 1)
		return -errno ? -errno : -EIO;
	return 0;
}

int pv_tracefile_create(struct pv_tracefile_writer **out, const char *path,
			const struct pv_tracefile_info *info)
{
	struct pv_tracefile_writer *w;
	int err;

	if (!out || !path || !info || info->nvcpus < 1 || info->nvcpus > PV_MAX_VCPUS)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->f = fopen(path, "wbe");
	if (!w->f) {
		err = -errno;
		free(w);
		return err;
	}
	w->hdr.magic = PV_TRACEFILE_MAGIC;
	w->hdr.version_major = PV_TRACEFILE_VERSION_MAJOR;
	w->hdr.version_minor = PV_TRACEFILE_VERSION_MINOR;
	w->hdr.hdr_size = sizeof(w->hdr);
	w->hdr.rec_size = sizeof(struct pv_rec);
	w->hdr.tsc_khz = info->tsc_khz;
	w->hdr.nvcpus = info->nvcpus;
	if (info->vm_name)
		strncpy(w->hdr.vm_name, info->vm_name, sizeof(w->hdr.vm_name) - 1);
	err = tracefile_put_hdr(w);
	if (err) {
		fclose(w->f);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

int pv_tracefile_append(struct pv_tracefile_writer *w, const struct pv_rec *recs, size_t n)
{
	size_t i;

	if (w->err)
		return w->err;
	if (!n)
		return 0;
	if (fwrite(recs, sizeof(*recs), n, w->f) != n) {
		w->err = errno ? -errno : -EIO;
		return w->err;
	}
	for (i = 0; i < n; i++) {
		if (!w->hdr.nrecs && !i)
			w->hdr.first_tsc = w->hdr.last_tsc = recs[i].tsc;
		if (recs[i].tsc < w->hdr.first_tsc)
			w->hdr.first_tsc = recs[i].tsc;
		if (recs[i].tsc > w->hdr.last_tsc)
			w->hdr.last_tsc = recs[i].tsc;
	}
	w->hdr.nrecs += n;
	return 0;
}

uint64_t pv_tracefile_count(const struct pv_tracefile_writer *w)
{
	return w->hdr.nrecs;
}

int pv_tracefile_finish(struct pv_tracefile_writer *w)
{
	int err = w->err;

	if (!err) {
		w->hdr.flags |= PV_TRACEFILE_F_COMPLETE;
		if (fflush(w->f))
			err = -errno;
		else
			err = tracefile_put_hdr(w);
	}
	if (fclose(w->f) && !err)
		err = -errno;
	free(w);
	return err;
}

int pv_tracefile_check_hdr(const struct pv_tracefile_hdr *h, uint64_t file_size)
{
	uint64_t want;
	unsigned int i;

	if (h->magic != PV_TRACEFILE_MAGIC)
		return -EINVAL;
	if (h->version_major != PV_TRACEFILE_VERSION_MAJOR)
		return -EPROTO;
	if (h->hdr_size != sizeof(*h) || h->rec_size != sizeof(struct pv_rec))
		return -EINVAL;
	if (h->hdr_csum != pv_tracefile_csum(h))
		return -EBADMSG;
	if (!(h->flags & PV_TRACEFILE_F_COMPLETE) || (h->flags & ~PV_TRACEFILE_F_COMPLETE))
		return -EBADMSG;
	if (h->nvcpus < 1 || h->nvcpus > PV_MAX_VCPUS || h->tsc_khz < 1000 ||
	    h->tsc_khz > 100000000ull || h->first_tsc > h->last_tsc ||
	    memchr(h->vm_name, '\0', sizeof(h->vm_name)) == NULL || h->pad)
		return -EBADMSG;
	for (i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++)
		if (h->reserved[i])
			return -EBADMSG;
	if (h->nrecs > (UINT64_MAX - h->hdr_size) / h->rec_size)
		return -EBADMSG;
	want = h->hdr_size + h->nrecs * h->rec_size;
	return want == file_size ? 0 : -EBADMSG;
}

int pv_tracefile_open(struct pv_tracefile_reader **out, const char *path)
{
	struct pv_tracefile_reader *r;
	struct stat st;
	int err;

	if (!out || !path)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->f = fopen(path, "rbe");
	if (!r->f) {
		err = -errno;
		goto out_free;
	}
	if (fstat(fileno(r->f), &st) < 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out_close;
	}
	if (fread(&r->hdr, sizeof(r->hdr), 1, r->f) != 1) {
		err = ferror(r->f) ? -EIO : -EINVAL;	/* shorter than a header: not a trace */
		goto out_close;
	}
	err = pv_tracefile_check_hdr(&r->hdr, (uint64_t)st.st_size);
	if (err)
		goto out_close;
	r->left = r->hdr.nrecs;
	r->ctx.kind = PV_RING_KIND_ANY;
	r->ctx.nvcpus = r->hdr.nvcpus;
	r->ctx.vcpu = PV_VCPU_NONE;
	*out = r;
	return 0;

out_close:
	fclose(r->f);
out_free:
	free(r);
	return err;
}

const struct pv_tracefile_hdr *pv_tracefile_hdr(const struct pv_tracefile_reader *r)
{
	return &r->hdr;
}

ssize_t pv_tracefile_read(struct pv_tracefile_reader *r, struct pv_rec *out, size_t max)
{
	size_t got = 0;

	while (got < max && r->left) {
		size_t want = max - got < r->left ? max - got : (size_t)r->left;
		size_t n = fread(out + got, sizeof(*out), want, r->f);

		if (n < want && ferror(r->f))
			return -EIO;
		if (!n)
			return -EBADMSG;	/* shorter than its header says: changed under us */
		r->left -= n;
		got += pv_consume_filter(&r->ctx, &r->st, out + got, n);
	}
	return (ssize_t)got;
}

const struct pv_consume_stats *pv_tracefile_stats(const struct pv_tracefile_reader *r)
{
	return &r->st;
}

void pv_tracefile_close(struct pv_tracefile_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r);
}
