package gavel.rules.init_order_sidecar_dependency

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Init container needs a sidecar that starts after it
# description: >-
#   A regular init container connects to `localhost:P` or `127.0.0.1:P` (in its command, args or
#   env values), where P is a port of a native sidecar declared after it in `initContainers`, or
#   of a regular container, and of no native sidecar declared before it. Init containers start
#   one at a time in their order, and regular containers only after all of them have finished,
#   so nothing listens on P yet: the init container fails or waits forever.
# custom:
#   id: init-order-sidecar-dependency
#   severity: error
#   remediation: >-
#     Declare the sidecar before this init container in `initContainers` (with
#     `restartPolicy: Always` and a startupProbe, so that it is ready when the init container
#     starts).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
deny contains {"msg": msg, "path": m.path} if {
	some m in mentions
	not served_before(m.entry, m.port)
	servers := {k8s.describe(other) | some other in k8s.containers; serves_later(other, m.entry, m.port)}
	count(servers) > 0
	msg := sprintf(
		"%s connects to %s:%d, which only %s serves, and that starts after it: init containers start one at a time, in order",
		[k8s.describe(m.entry), m.host, m.port, concat(" and ", sort(servers))],
	)
}

pattern := `(?:^|[^A-Za-z0-9.-])(localhost|127\.0\.0\.1):([0-9]+)`

mentions contains {"entry": entry, "path": array.concat(entry.path, [field, i]), "host": m[1], "port": to_number(m[2])} if {
	some entry in k8s.containers
	entry.role == "init"
	some field in ["command", "args"]
	some i, s in k8s.array_or_empty(object.get(entry.container, field, []))
	is_string(s)
	some m in regex.find_all_string_submatch_n(pattern, s, -1)
}

mentions contains {"entry": entry, "path": array.concat(entry.path, ["env", i, "value"]), "host": m[1], "port": to_number(m[2])} if {
	some entry in k8s.containers
	entry.role == "init"
	some i, env in k8s.array_or_empty(object.get(entry.container, "env", []))
	s := env.value
	is_string(s)
	some m in regex.find_all_string_submatch_n(pattern, s, -1)
}

# A native sidecar declared before the init container already runs when it starts.
served_before(init, port) if {
	some other in containers
	other.role == "sidecar"
	other.index < init.index
	port in k8s.container_ports(other.container)
}

serves_later(other, init, port) if {
	other.role == "sidecar"
	other.index > init.index
	port in k8s.container_ports(other.container)
}

serves_later(other, _, port) if {
	other.field == "containers"
	port in k8s.container_ports(other.container)
}

# Functions read k8s.containers through this local rule: regorus (0.11 to 0.14) loses a rule
# reached through an import alias inside a function once another rule has evaluated it.
containers := k8s.containers
