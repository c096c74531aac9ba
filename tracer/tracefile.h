/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A saved binary trace: a 128-byte versioned header followed by struct pv_rec records.
 *
 *   offset 0    struct pv_tracefile_hdr (little-endian, hdr_size bytes)
 *   hdr_size    nrecs x struct pv_rec (32 bytes each), in the order they were consumed:
 *               the records of one ring are in time order, rings are interleaved in batches
 *
 * The writer writes a provisional header (flags without PV_TRACEFILE_F_COMPLETE), appends
 * records through stdio buffering and rewrites the header with the count, the TSC range and
 * a checksum when finished. The reader accepts only a complete file whose size is exactly
 * hdr_size + nrecs x rec_size and whose header checksum matches; every record is then
 * validated (tracer/consume.c, merged-stream rules) and rejects are counted, never returned.
 */
#ifndef PV_TRACER_TRACEFILE_H
#define PV_TRACER_TRACEFILE_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "tracer/consume.h"
#include "tracer/event.h"
#include "tracer/shm.h"

#define PV_TRACEFILE_MAGIC		0x52545650u	/* "PVTR" */
#define PV_TRACEFILE_VERSION_MAJOR	1u		/* incompatible changes */
#define PV_TRACEFILE_VERSION_MINOR	0u		/* compatible additions */
#define PV_TRACEFILE_F_COMPLETE		(1u << 0)	/* writer finished: counts are final */
#define PV_TRACEFILE_HDR_SIZE		128u

struct pv_tracefile_hdr {
	uint32_t magic;			/* PV_TRACEFILE_MAGIC */
	uint16_t version_major;
	uint16_t version_minor;
	uint32_t hdr_size;		/* PV_TRACEFILE_HDR_SIZE; records start here */
	uint32_t rec_size;		/* sizeof(struct pv_rec) */
	uint64_t tsc_khz;		/* TSC frequency of the stamps */
	uint32_t nvcpus;		/* 1 .. PV_MAX_VCPUS */
	uint32_t flags;			/* PV_TRACEFILE_F_* */
	uint64_t nrecs;			/* records that follow */
	uint64_t first_tsc;		/* smallest record TSC (0 when empty) */
	uint64_t last_tsc;		/* largest record TSC */
	char vm_name[PV_SHM_NAME_MAX];	/* NUL-terminated */
	uint32_t hdr_csum;		/* FNV-1a over the header with this field 0 */
	uint32_t pad;
	uint64_t reserved[4];		/* 0 */
};
_Static_assert(sizeof(struct pv_tracefile_hdr) == PV_TRACEFILE_HDR_SIZE, "trace file header");

struct pv_tracefile_info {
	const char *vm_name;		/* may be NULL */
	uint32_t nvcpus;
	uint64_t tsc_khz;
};

struct pv_tracefile_writer;
struct pv_tracefile_reader;

/* Create (truncate) @path and write a provisional header. 0, -EINVAL or -errno. */
int pv_tracefile_create(struct pv_tracefile_writer **out, const char *path,
			const struct pv_tracefile_info *info);
/* Append @n records. 0 or -errno (the writer stays usable for pv_tracefile_finish). */
int pv_tracefile_append(struct pv_tracefile_writer *w, const struct pv_rec *recs, size_t n);
uint64_t pv_tracefile_count(const struct pv_tracefile_writer *w);
/* Write the final header and close; frees @w whatever the result. 0 or -errno. */
int pv_tracefile_finish(struct pv_tracefile_writer *w);

/*
 * Open and check @path: -EINVAL (not a trace: magic, sizes), -EPROTO (version),
 * -EBADMSG (incomplete, truncated, trailing bytes, header checksum, bad field), -errno.
 */
int pv_tracefile_open(struct pv_tracefile_reader **out, const char *path);
const struct pv_tracefile_hdr *pv_tracefile_hdr(const struct pv_tracefile_reader *r);
/* Up to @max validated records; 0 at the end; -EBADMSG if the file changed size, -errno. */
ssize_t pv_tracefile_read(struct pv_tracefile_reader *r, struct pv_rec *out, size_t max);
/* Validation counters so far (consumed = records returned). */
const struct pv_consume_stats *pv_tracefile_stats(const struct pv_tracefile_reader *r);
void pv_tracefile_close(struct pv_tracefile_reader *r);

/* Header checks on a header already in memory (used by the reader, exposed for tests). */
int pv_tracefile_check_hdr(const struct pv_tracefile_hdr *h, uint64_t file_size);
uint32_t pv_tracefile_csum(const struct pv_tracefile_hdr *h);

#endif /* PV_TRACER_TRACEFILE_H */
