package gavel.rules.probe_handler_count

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Probe or lifecycle hook without exactly one handler
# description: >-
#   A probe needs exactly one of `exec`, `httpGet`, `tcpSocket` and `grpc`; a postStart or preStop
#   hook exactly one of `exec`, `httpGet`, `tcpSocket` and `sleep`. The API rejects none ("must
#   specify a handler type") and several ("may not specify more than 1 handler type").
# custom:
#   id: probe-handler-count
#   severity: error
#   remediation: Keep exactly one handler.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     - https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
deny contains {"msg": msg, "path": array.concat(entry.path, [probe])} if {
	some entry in k8s.containers
	some probe in k8s.probe_fields
	p := entry.container[probe]
	is_object(p)
	handlers := present_handlers(p, probe_handlers)
	count(handlers) != 1
	msg := sprintf("the %s of %s %s", [probe, k8s.describe(entry), problem(handlers, "exec, httpGet, tcpSocket or grpc")])
}

deny contains {"msg": msg, "path": array.concat(entry.path, ["lifecycle", hook])} if {
	some entry in k8s.containers
	some hook in ["postStart", "preStop"]
	p := entry.container.lifecycle[hook]
	is_object(p)
	handlers := present_handlers(p, hook_handlers)
	count(handlers) != 1
	msg := sprintf("the %s hook of %s %s", [hook, k8s.describe(entry), problem(handlers, "exec, httpGet, tcpSocket or sleep")])
}

probe_handlers := {"exec", "httpGet", "tcpSocket", "grpc"}

hook_handlers := {"exec", "httpGet", "tcpSocket", "sleep"}

# The handlers that p sets (present and not null): p's own fields looked up among the
# handlers, rather than each handler looked up in p.
present_handlers(p, handlers) := {h | some h, v in p; h in handlers; v != null}

problem(handlers, allowed) := sprintf("has no handler: it needs one of %s", [allowed]) if count(handlers) == 0

problem(handlers, _) := sprintf("has %d handlers (%s): it needs exactly one", [count(handlers), concat(", ", sort(handlers))]) if {
	count(handlers) > 1
}
