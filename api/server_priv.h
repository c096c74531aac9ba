/* SPDX-License-Identifier: GPL-2.0-only */
/* State shared by the request pipeline (api/dispatch.c) and the HTTP glue (api/server.c). */
#ifndef PV_API_SERVER_PRIV_H
#define PV_API_SERVER_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>

#include "api/ratelimit.h"
#include "api/server.h"

struct MHD_Daemon;

/* libmicrohttpd's messages for one listen address (its external logger's argument). */
struct api_mhd_log {
	atomic_bool running;			/* started: messages are printed, not kept */
	char first[API_ERR_MAX];		/* the first one while starting: why it failed */
};

struct api_server {
	const struct api_route *routes;
	size_t nroutes;
	void *ctx;
	struct auth open_auth;			/* used when cfg->auth is NULL */
	const struct auth *auth;
	struct ratelimit rl;
	size_t body_max;
	struct MHD_Daemon *mhd[API_MAX_LISTEN];
	uint16_t port[API_MAX_LISTEN];
	int unix_fd[API_MAX_LISTEN];
	char unix_path[API_MAX_LISTEN][108];
	struct api_mhd_log log[API_MAX_LISTEN];
	unsigned int nlisten;
};

int api_server_init_common(struct api_server *srv, const struct api_server_config *cfg,
			   const struct api_route *routes, size_t nroutes, void *ctx);

#endif /* PV_API_SERVER_PRIV_H */
