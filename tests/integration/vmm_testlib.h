/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for the pv-vmm integration tests: guest images, running pv-vmm, control socket, shm. */
#ifndef PV_TESTS_VMM_TESTLIB_H
#define PV_TESTS_VMM_TESTLIB_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "tracer/shm.h"

static inline const char *tl_build(void)
{
	const char *b = getenv("PV_BUILD");

	return b && *b ? b : "build";
}

static inline bool tl_have_kvm(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

static inline uint64_t tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A minimal ELF64: one RWX PT_LOAD of @code at 0x100000, entry there. */
static inline int tl_write_elf(const char *path, const unsigned char *code, size_t len)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
	} h;
	FILE *f;

	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_EXEC;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_entry = 0x100000;
	h.eh.e_phoff = sizeof(Elf64_Ehdr);
	h.eh.e_ehsize = sizeof(Elf64_Ehdr);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 1;
	h.ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = sizeof(h),
			     .p_vaddr = 0x100000, .p_paddr = 0x100000, .p_filesz = len,
			     .p_memsz = 0x200000, .p_align = 0x1000 };
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	fwrite(&h, sizeof(h), 1, f);
	fwrite(code, len, 1, f);
	return fclose(f) ? -errno : 0;
}

struct tl_vmm {
	pid_t pid;
	char dir[64];
	char kernel[128];
	char out[128];		/* console */
	char err[128];		/* stderr (summary) */
	char sock[108];
};

static inline void tl_init(struct tl_vmm *v, const char *tag)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->dir, sizeof(v->dir), "/tmp/pvvmm-test-%d-%s", (int)getpid(), tag);
	mkdir(v->dir, 0700);
	snprintf(v->kernel, sizeof(v->kernel), "%s/guest.elf", v->dir);
	snprintf(v->out, sizeof(v->out), "%s/console.txt", v->dir);
	snprintf(v->err, sizeof(v->err), "%s/stderr.txt", v->dir);
	snprintf(v->sock, sizeof(v->sock), "%s/ctl.sock", v->dir);
}

/* Start pv-vmm with --kernel (if @kernel) --console v->out and extra args (NULL-terminated). */
static inline int tl_start(struct tl_vmm *v, const char *kernel, const char *const *extra)
{
	const char *argv[64];
	char bin[256];
	int n = 0, i;

	snprintf(bin, sizeof(bin), "%s/pv-vmm", tl_build());
	argv[n++] = bin;
	if (kernel) {
		argv[n++] = "--kernel";
		argv[n++] = kernel;
	}
	argv[n++] = "--console";
	argv[n++] = v->out;
	for (i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	v->pid = fork();
	if (v->pid < 0)
		return -errno;
	if (v->pid == 0) {
		int fd = open(v->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return 0;
}

/* Exit status, or -1 when it had to be killed after @timeout_ms. */
static inline int tl_wait(struct tl_vmm *v, int timeout_ms)
{
	uint64_t end = tl_now_ms() + (uint64_t)timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(v->pid, &st, WNOHANG);

		if (r == v->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (tl_now_ms() > end) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, &st, 0);
			return -1;
		}
		usleep(5000);
	}
}

static inline char *tl_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		/* partial is fine for matching */
	}
	fclose(f);
	return buf;
}

/* Value of "key=" (unsigned) after the first occurrence of @anchor in @text, or -1. */
static inline long long tl_field(const char *text, const char *anchor, const char *key)
{
	const char *p = strstr(text, anchor), *nl, *k;
	char pat[64];

	if (!p)
		return -1;
	nl = strchr(p, '\n');
	snprintf(pat, sizeof(pat), " %s=", key);
	k = strstr(p, pat);
	if (!k || (nl && k > nl))
		return -1;
	return strtoll(k + strlen(pat), NULL, 10);
}

static inline int tl_ctl_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t end = tl_now_ms() + (uint64_t)timeout_ms;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	while (tl_now_ms() < end) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		usleep(2000);
	}
	return -1;
}

/* Read one line (may carry an fd). 0 on success, -1 on timeout / EOF. */
static inline int tl_read_line(int fd, char *buf, size_t cap, int *fd_out, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr a;
		} u;
		struct iovec iov = { .iov_base = buf + n, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
				      .msg_controllen = sizeof(u.b) };
		struct cmsghdr *cm;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		if (recvmsg(fd, &msg, 0) != 1)
			return -1;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_type == SCM_RIGHTS && fd_out)
				memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return 0;
		}
		n++;
	}
	buf[n] = '\0';
	return 0;
}

/* Send @req (newline added) and return the reply (events are skipped, collected in @events). */
static inline int tl_ctl_call(int fd, const char *req, char *reply, size_t cap, int *fd_out,
			      char *events, size_t ecap)
{
	char line[8192];

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0)
		return -1;
	for (;;) {
		if (tl_read_line(fd, line, sizeof(line), fd_out, 5000))
			return -1;
		if (strstr(line, "\"event\"")) {
			if (events && strlen(events) + strlen(line) + 2 < ecap) {
				strcat(events, line);
				strcat(events, "\n");
			}
			continue;
		}
		snprintf(reply, cap, "%s", line);
		return 0;
	}
}

/* Records by type in ring @ring (drains it); halted ns from HALT_END, THROTTLE overruns. */
struct tl_counts {
	uint64_t by_type[PV_EV_MAX];
	uint64_t exit_by_reason[PV_EXIT_MAX];
	uint64_t halt_ns;
	uint64_t throttle_overrun_ns;	/* THROTTLE: sum and max of b (overrun), last c (period) */
	uint64_t throttle_overrun_max_ns;
	uint64_t throttle_period_ns;
	uint64_t nonmono;	/* records older than their predecessor in the same ring */
	uint64_t total;
};

static inline void tl_count_ring(const struct pv_shm *shm, uint32_t ring, struct tl_counts *c)
{
	struct pv_ring_reader rd;
	struct pv_rec recs[1024];
	uint64_t last = 0;
	size_t n, i;

	if (pv_shm_reader(shm, ring, &rd))
		return;
	while ((n = pv_ring_read(&rd, recs, 1024)) > 0) {
		for (i = 0; i < n; i++) {
			const struct pv_rec *r = &recs[i];

			c->total++;
			if (r->tsc < last)
				c->nonmono++;
			last = r->tsc;
			if (r->type < PV_EV_MAX)
				c->by_type[r->type]++;
			if (r->type == PV_EV_VM_EXIT && r->a < PV_EXIT_MAX)
				c->exit_by_reason[r->a]++;
			if (r->type == PV_EV_HALT_END)
				c->halt_ns += r->b;
			if (r->type == PV_EV_THROTTLE) {
				c->throttle_overrun_ns += r->b;
				if (r->b > c->throttle_overrun_max_ns)
					c->throttle_overrun_max_ns = r->b;
				c->throttle_period_ns = r->c;
			}
		}
	}
}

#endif /* PV_TESTS_VMM_TESTLIB_H */
