package gavel.rules.duplicate_container_name

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Container name used twice in a pod
# description: >-
#   A container name repeats across `containers`, `initContainers` and `ephemeralContainers`.
#   Names must be unique across all three lists (the API rejects the pod: "Duplicate value"), since
#   logs, exec, status and probes refer to containers by name.
# custom:
#   id: duplicate-container-name
#   severity: error
#   remediation: Rename one of the containers.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container
deny contains {"msg": msg, "path": array.concat(entry.path, ["name"])} if {
	some entry in k8s.containers
	entry.container.name in repeated_names
	first := first_with_name(entry.container.name)
	order(entry) != order(first)
	msg := sprintf(
		"%s has the same name as the %s at %s[%d]: container names must be unique in a pod",
		[k8s.describe(entry), role_label(first), first.field, first.index],
	)
}

# The names that more than one container of the pod has (nearly always none, so that the
# search for the first container of a name runs only for the pods that need it).
repeated_names := {name |
	some entry in containers
	name := entry.container.name
	is_string(name)
	count(with_name(name)) > 1
}

with_name(name) := [e | some e in containers; e.container.name == name]

# The API checks containers, then initContainers, then ephemeralContainers.
field_order := {"containers": 0, "initContainers": 1, "ephemeralContainers": 2}

order(entry) := [field_order[entry.field], entry.index]

first_with_name(name) := first if {
	same := with_name(name)
	orders := [order(e) | some e in same]
	some first in same
	order(first) == min(orders)
}

role_label(entry) := role_labels[entry.role]

# Functions read other packages' rules through these local rules: regorus (0.11 to 0.14)
# loses a rule reached through an import alias inside a function once another rule has
# evaluated it.
containers := k8s.containers

role_labels := k8s.role_labels
