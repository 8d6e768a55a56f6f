package gavel.rules.sidecar_startup_depends_on_app

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar's startupProbe waits for an app container
# description: >-
#   A native sidecar's startupProbe checks a port that a regular container declares and the
#   sidecar does not. Regular containers start only after every native sidecar has started (its
#   startupProbe has succeeded), so the probe can never succeed: the pod is stuck in Init, and the
#   kubelet restarts the sidecar each time the probe's failureThreshold is reached.
# custom:
#   id: sidecar-startup-depends-on-app
#   severity: warning
#   remediation: >-
#     Point the startupProbe at the sidecar's own port or health endpoint. A proxy that forwards
#     to the app should report started when the proxy itself is ready, not when the app is.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers
warn contains {"msg": msg, "path": array.concat(entry.path, ["startupProbe", handler, "port"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	some handler in ["httpGet", "tcpSocket", "grpc"]
	h := entry.container.startupProbe[handler]
	is_object(h)
	local(h)
	port := numeric_port(h.port, entry.container)
	not port in k8s.container_ports(entry.container)
	apps := {k8s.describe(app) | some app in k8s.containers; app.field == "containers"; port in k8s.container_ports(app.container)}
	count(apps) > 0
	msg := sprintf(
		"%s has a startupProbe on port %d, which %s declares: regular containers start only after the sidecar has started, so the probe never succeeds and the pod is stuck in Init",
		[k8s.describe(entry), port, concat(" and ", sort(apps))],
	)
}

# The probe checks the pod itself (no host, or a loopback one).
local(h) if not k8s.has(h, "host")

local(h) if h.host in {"localhost", "127.0.0.1", "::1", ""}

numeric_port(p, _) := p if is_number(p)

# A string port is looked up by name in the container's ports first, then read as a number.
numeric_port(p, c) := to_number(p) if {
	is_string(p)
	regex.match(`^[0-9]+$`, p)
	not p in k8s.port_names(c)
}
