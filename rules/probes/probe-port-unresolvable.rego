package gavel.rules.probe_port_unresolvable

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Probe names a port its container does not declare
# description: >-
#   A probe's httpGet or tcpSocket port is a name that the same container's `ports` do not
#   declare. The kubelet looks a named port up only in the probing container's own ports (not in
#   the other containers of the pod), and the API does not check it, so the probe fails at run
#   time: a failing liveness or startup probe restarts the container over and over, a failing
#   readiness probe keeps the pod out of its Services.
# custom:
#   id: probe-port-unresolvable
#   severity: error
#   remediation: >-
#     Declare the named port in this container's `ports`, or use the port number.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port
deny contains {"msg": msg, "path": array.concat(entry.path, [probe, handler, "port"])} if {
	some entry in k8s.containers
	entry.field in {"containers", "initContainers"}
	some probe in k8s.probe_fields
	some handler in ["httpGet", "tcpSocket"]
	port := entry.container[probe][handler].port
	is_string(port)
	not regex.match(`^[+-]?[0-9]+$`, port)
	not port in k8s.port_names(entry.container)
	msg := sprintf(
		"the %s of %s uses the port name %s, which the container's ports do not declare: the probe fails at run time",
		[probe, k8s.describe(entry), port],
	)
}
