package gavel.rules.host_port_conflict

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar shares a hostPort with another container
# description: >-
#   A native sidecar uses the same hostPort (same protocol, and the same hostIP or the wildcard
#   0.0.0.0) as a regular container or another native sidecar. The API checks host ports only
#   among regular containers, and each init container against itself, because init containers
#   run one at a time; but a native sidecar keeps running beside the app, so one of the two cannot
#   bind the port.
# custom:
#   id: host-port-conflict
#   severity: warning
#   remediation: Give one of the containers another hostPort, or drop the hostPort it does not need.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://kubernetes.io/docs/concepts/configuration/overview/#services
warn contains {"msg": msg, "path": array.concat(entry.path, ["ports", i, "hostPort"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	some i, port in k8s.array_or_empty(object.get(entry.container, "ports", []))
	key := host_key(port)
	others := {k8s.describe(other) |
		some other in k8s.containers
		clashes(other, entry)
		some other_port in k8s.ports(other.container)
		same_binding(key, host_key(other_port))
	}
	count(others) > 0
	msg := sprintf(
		"%s uses hostPort %d/%s, as %s does: they run at the same time, so one of them cannot bind it",
		[k8s.describe(entry), key.port, key.protocol, concat(" and ", sort(others))],
	)
}

# A sidecar clashes with every regular container, and with the native sidecars declared before
# it (a pair of sidecars is reported once, on the later one).
clashes(other, _) if other.field == "containers"

clashes(other, entry) if {
	other.role == "sidecar"
	other.index < entry.index
}

host_key(port) := {"port": port.hostPort, "protocol": object.get(port, "protocol", "TCP"), "ip": ip(object.get(port, "hostIP", ""))} if {
	is_number(port.hostPort)
	port.hostPort > 0
}

ip("") := "0.0.0.0"

ip(null) := "0.0.0.0"

ip(address) := address if not address in {"", null}

same_binding(a, b) if {
	a.port == b.port
	a.protocol == b.protocol
	compatible_ip(a.ip, b.ip)
}

compatible_ip(a, a) := true

compatible_ip("0.0.0.0", _) := true

compatible_ip(_, "0.0.0.0") := true
