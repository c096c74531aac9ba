// SPDX-License-Identifier: GPL-2.0-only
/* The route table (see routes.h). Summaries are the OpenAPI summaries, word for word. */
#include "api/dashboard.h"
#include "api/handlers.h"
#include "api/metrics.h"
#include "api/routes.h"

#define R(m, p, s, h, sum)	{ .method = (m), .pattern = (p), .scope = (s), .handler = (h), .summary = (sum) }

const struct api_route routes_table[] = {
	R(API_GET, "/healthz", API_SCOPE_PUBLIC, handlers_health, "Liveness probe"),
	R(API_GET, "/readyz", API_SCOPE_PUBLIC, handlers_ready, "Readiness probe"),
	R(API_GET, "/api/v1/node", API_SCOPE_READ, handlers_node,
	  "Node CPUs, P/C-states, backend and power"),
	R(API_GET, "/api/v1/vms", API_SCOPE_READ, handlers_vms_list, "List VMs"),
	R(API_POST, "/api/v1/vms", API_SCOPE_ADMIN, handlers_vmops_create,
	  "Create and start a VM from a JSON spec"),
	R(API_GET, "/api/v1/vms/{name}", API_SCOPE_READ, handlers_vms_get, "One VM in full"),
	R(API_DELETE, "/api/v1/vms/{name}", API_SCOPE_ADMIN, handlers_vmops_delete,
	  "Stop and delete a VM"),
	R(API_POST, "/api/v1/vms/{name}/pause", API_SCOPE_ADMIN, handlers_vmops_pause,
	  "Pause every vCPU of a VM"),
	R(API_POST, "/api/v1/vms/{name}/resume", API_SCOPE_ADMIN, handlers_vmops_resume,
	  "Resume a paused VM"),
	R(API_GET, "/api/v1/vms/{name}/vcpus", API_SCOPE_READ, handlers_vms_vcpus,
	  "Per-vCPU statistics"),
	R(API_GET, "/api/v1/vms/{name}/exits", API_SCOPE_READ, handlers_vms_exits,
	  "VM exits by reason with latency histograms"),
	R(API_GET, "/api/v1/vms/{name}/energy", API_SCOPE_READ, handlers_vms_energy,
	  "Energy attributed to a VM"),
	R(API_GET, "/api/v1/vms/{name}/qos", API_SCOPE_READ, handlers_qos_get,
	  "QoS class, latency budget and reservation of a VM"),
	R(API_PUT, "/api/v1/vms/{name}/qos", API_SCOPE_ADMIN, handlers_qos_put,
	  "Change a VM's QoS (admission-checked, applied within one tick)"),
	R(API_DELETE, "/api/v1/vms/{name}/qos", API_SCOPE_ADMIN, handlers_qos_delete,
	  "Return a VM to best-effort"),
	R(API_GET, "/api/v1/power", API_SCOPE_READ, handlers_power_get, "Power policy"),
	R(API_PUT, "/api/v1/power", API_SCOPE_ADMIN, handlers_power_put,
	  "Switch governor and/or set tunables (transactional)"),
	R(API_GET, "/api/v1/devices", API_SCOPE_READ, handlers_devices,
	  "Devices, their per-VM utilisation and power state"),
	R(API_GET, "/api/v1/trace", API_SCOPE_READ, handlers_trace,
	  "Recent transition events after a cursor"),
	R(API_GET, "/api/v1/trace/perfetto", API_SCOPE_READ, handlers_trace_perfetto,
	  "Chrome/Perfetto trace-event JSON for the last window"),
	R(API_GET, "/metrics", API_SCOPE_READ, metrics_handle,
	  "Prometheus metrics (text exposition 0.0.4)"),
	R(API_GET, "/", API_SCOPE_PUBLIC, dashboard_handle_index, "The built-in dashboard"),
	R(API_GET, "/assets/{file}", API_SCOPE_PUBLIC, dashboard_handle_asset,
	  "Dashboard scripts and styles"),
};

const size_t routes_count = sizeof(routes_table) / sizeof(routes_table[0]);
