// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmicrohttpd glue: one MHD daemon per listen address (TCP or a Unix socket we bind and
 * hand over), a thread pool per daemon, bodies accumulated up to the cap, then the
 * library-independent pipeline in api/dispatch.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <microhttpd.h>

#include "api/server_priv.h"

#define ACCEPT_ENCODING_MAX	512	/* bytes of Accept-Encoding considered */

/* Per-request state kept by MHD between calls of the access handler. */
struct req_state {
	char *body;
	size_t len;
	int too_large;
};

static const char *mhd_query(const void *conn, const char *key)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)conn, MHD_GET_ARGUMENT_KIND,
					   key);
}

/* Every Accept-Encoding line, joined as one list (RFC 9110 §5.3); whole lines only. */
struct header_join {
	char buf[ACCEPT_ENCODING_MAX];
	size_t len;
};

static enum MHD_Result join_accept_encoding(void *cls, enum MHD_ValueKind kind, const char *key,
					    const char *value)
{
	struct header_join *j = cls;
	size_t n;

	(void)kind;
	if (!key || !value || strcasecmp(key, MHD_HTTP_HEADER_ACCEPT_ENCODING))
		return MHD_YES;
	n = strlen(value);
	if (j->len + n + 2 >= sizeof(j->buf))
		return MHD_NO;		/* absurdly long: keep the lines that fit */
	if (j->len)
		j->buf[j->len++] = ',';
	memcpy(j->buf + j->len, value, n + 1);
	j->len += n;
	return MHD_YES;
}

static void client_key(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "local");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct api_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	const char *ctype = "application/json";
	char *body;
	size_t len;

	if (r->json) {
		body = json_dumps(r->json, JSON_COMPACT);
		len = body ? strlen(body) : 0;
	} else {
		body = r->text;
		len = r->text_len;
		r->text = NULL;
		if (r->content_type)
			ctype = r->content_type;
	}
	if (!r->json && r->text_release) {	/* a shared text: released when sent */
		mr = MHD_create_response_from_buffer_with_free_callback_cls(len, body,
									    r->text_release,
									    r->text_cls);
		if (!mr)
			r->text_release(r->text_cls);
		r->text_release = NULL;
		if (!mr)
			return MHD_NO;
	} else {
		mr = MHD_create_response_from_buffer(len, body ? body : (char *)"", body ?
						     MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (!mr) {
			free(body);
			return MHD_NO;
		}
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	if (!r->json && r->content_encoding)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_ENCODING, r->content_encoding);
	if (r->vary_encoding)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	ret = MHD_queue_response(conn, (unsigned int)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct api_server *srv = cls;
	struct req_state *st = *con_cls;
	struct api_dispatch_in in;
	struct api_resp resp;
	struct header_join ae = { .len = 0 };
	char client[64];
	enum MHD_Result ret;
	int m;

	(void)version;
	if (!st) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		if (cl && strtoull(cl, NULL, 10) > srv->body_max)
			st->too_large = 1;	/* answer without reading it */
		*con_cls = st;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_large && st->len + *upload_size <= srv->body_max) {
			char *nb = realloc(st->body, st->len + *upload_size + 1);

			if (!nb)
				return MHD_NO;
			memcpy(nb + st->len, upload, *upload_size);
			st->body = nb;
			st->len += *upload_size;
		} else {
			st->too_large = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}

	memset(&in, 0, sizeof(in));
	client_key(conn, client, sizeof(client));
	m = api_method_parse(method);
	if (m < 0) {
		memset(&resp, 0, sizeof(resp));
		api_error(&resp, 405, "method_not_allowed", NULL, "unsupported method");
	} else {
		in.method = (enum api_method)m;
		in.path = url;
		in.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_AUTHORIZATION);
		MHD_get_connection_values(conn, MHD_HEADER_KIND, join_accept_encoding, &ae);
		in.accept_encoding = ae.len ? ae.buf : NULL;
		in.client = client;
		in.body = st->body;
		in.body_len = st->len;
		in.body_too_large = st->too_large;
		in.query = mhd_query;
		in.conn = conn;
		api_dispatch(srv, &in, &resp);
	}
	ret = send_resp(conn, &resp);
	api_resp_free(&resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (st) {
		free(st->body);
		free(st);
		*con_cls = NULL;
	}
}

/* Bind a Unix stream socket at @path (replacing a stale one), mode 0660. */
static int bind_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 128) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Parse "host:port" / "[v6]:port" into a socket address. */
static int parse_tcp(const char *addr, struct sockaddr_storage *ss)
{
	char host[128];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *ai;
	size_t hl;

	if (!colon || colon == addr)
		return -EINVAL;
	hl = (size_t)(colon - addr);
	if (addr[0] == '[' && colon[-1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

/*
 * libmicrohttpd's messages: printed, and while a daemon starts the first one is kept, since
 * MHD_start_daemon() itself only says that it failed.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct api_mhd_log *l = cls;
	char msg[API_ERR_MAX];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (n = strlen(msg); n && (msg[n - 1] == '\n' || msg[n - 1] == '.'); n--)
		msg[n - 1] = '\0';
	if (!atomic_load_explicit(&l->running, memory_order_acquire) && !l->first[0])
		snprintf(l->first, sizeof(l->first), "%s", msg);
	fprintf(stderr, "api server: %s\n", msg);
}

static int start_one(struct api_server *srv, const struct api_server_config *cfg, unsigned int i)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	unsigned int threads = cfg->threads ? cfg->threads : DEF_API_THREADS;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	const char *addr = cfg->listen[i];
	struct MHD_OptionItem opt[8];
	unsigned int n = 0;
	int fd = -1;

	memset(&ss, 0, sizeof(ss));
	if (!strncmp(addr, "unix:", 5)) {
		fd = bind_unix(addr + 5);
		if (fd < 0)
			return fd;
		srv->unix_fd[i] = fd;
		snprintf(srv->unix_path[i], sizeof(srv->unix_path[i]), "%s", addr + 5);
	} else if (parse_tcp(addr, &ss)) {
		return -EINVAL;
	} else if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL };
	opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, 1024, NULL };
	if (fd >= 0)
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, fd, NULL };
	else
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	if (cfg->tls_cert_pem && fd < 0) {	/* TCP only: a Unix socket is local, plain */
		flags |= MHD_USE_TLS;
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						    (void *)cfg->tls_cert_pem };
		opt[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						    (void *)cfg->tls_key_pem };
	}
	opt[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	srv->mhd[i] = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &srv->log[i],	/* first */
				       MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				       MHD_OPTION_ARRAY, opt, MHD_OPTION_END);
	if (!srv->mhd[i])
		return -EADDRNOTAVAIL;
	atomic_store_explicit(&srv->log[i].running, true, memory_order_release);
	srv->unix_fd[i] = -1;	/* MHD owns the listen socket now and closes it on stop */
	di = MHD_get_daemon_info(srv->mhd[i], MHD_DAEMON_INFO_BIND_PORT);
	srv->port[i] = di ? di->port : 0;
	return 0;
}

void api_server_stop(struct api_server *srv)
{
	unsigned int i;

	if (!srv)
		return;
	for (i = 0; i < API_MAX_LISTEN; i++) {
		if (srv->mhd[i])
			MHD_stop_daemon(srv->mhd[i]);
		if (srv->unix_fd[i] >= 0)
			close(srv->unix_fd[i]);
		if (srv->unix_path[i][0])
			unlink(srv->unix_path[i]);
	}
	ratelimit_destroy(&srv->rl);
	free(srv);
}

int api_server_start(struct api_server **out, const struct api_server_config *cfg,
		     const struct api_route *routes, size_t nroutes, void *ctx)
{
	struct api_server *srv;
	unsigned int i;
	int err;

	if (!cfg->nlisten || cfg->nlisten > API_MAX_LISTEN || !cfg->tls_cert_pem != !cfg->tls_key_pem)
		return -EINVAL;
	err = api_server_new_detached(&srv, cfg, routes, nroutes, ctx);
	if (err)
		return err;
	for (i = 0; i < cfg->nlisten; i++) {
		err = start_one(srv, cfg, i);
		if (err) {
			if (cfg->err)
				snprintf(cfg->err, API_ERR_MAX, "%s: %s", cfg->listen[i],
					 srv->log[i].first[0] ? srv->log[i].first : strerror(-err));
			api_server_stop(srv);
			return err;
		}
	}
	srv->nlisten = cfg->nlisten;
	*out = srv;
	return 0;
}

uint16_t api_server_port(const struct api_server *srv, unsigned int i)
{
	return i < srv->nlisten ? srv->port[i] : 0;
}
