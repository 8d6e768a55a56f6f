# METADATA
# title: Requests, limits and QoS of the containers of a pod
# description: |
#   Which containers carry resources (containers and initContainers; ephemeral containers may
#   not), their requests and limits, Kubernetes' defaulting of a missing request to the limit, and
#   the Guaranteed QoS test (sidecar-facts sections 5 and 7).
package gavel.lib.resources

import data.gavel.lib.k8s
import data.gavel.lib.quantity
import rego.v1

# The containers whose resources count.
entries contains entry if {
	some entry in k8s.containers
	entry.field in {"containers", "initContainers"}
}

# Everything that holds requests and limits: each container, and the pod itself when it sets
# pod-level resources. {"label", "resources", "path"}.
holders contains {"label": k8s.describe(entry), "resources": object.get(entry.container, "resources", {}), "path": array.concat(entry.path, ["resources"])} if {
	some entry in entries
}

holders contains {"label": "the pod", "resources": k8s.pod.spec.resources, "path": array.concat(k8s.pod.path, ["resources"])} if {
	k8s.has(k8s.pod.spec, "resources")
}

# The requests or limits (kind) of a container, as an object.
amounts(c, kind) := amounts_in(object.get(c, "resources", {}), kind)

# The requests or limits (kind) in a resources object, as an object. The rules that go through
# holders call this with the container's own resources object, so that they share the results
# of the calls through amounts.
amounts_in(resources, kind) := amounts if {
	amounts := resources[kind]
	is_object(amounts)
} else := {}

# The container (or pod spec) sets that request or limit (null counts as unset; amounts is
# always an object, so a missing field leaves the comparison undefined).
declares(c, kind, res) if amounts(c, kind)[res] != null

# The pod sets pod-level resources for res, which then replace the containers' for QoS.
pod_level_set(kind, res) if declares(pod_spec, kind, res)

# Functions read k8s.pod through this local rule: regorus (0.11 to 0.14) loses a rule reached
# through an import alias inside a function once another rule has evaluated it.
pod_spec := k8s.pod.spec

pod_level_set_any(res) if pod_level_set("requests", res)

pod_level_set_any(res) if pod_level_set("limits", res)

# Some value set for res is not a valid quantity (reported by invalid-quantity, skipped by the
# other rules).
invalid(c, res) if {
	some kind in ["requests", "limits"]
	v := amounts(c, kind)[res]
	v != null
	not quantity.valid(v)
}

# The request after defaulting: a limit without a request implies the request.
request(c, res) := amounts(c, "requests")[res] if declares(c, "requests", res)

request(c, res) := amounts(c, "limits")[res] if {
	not declares(c, "requests", res)
	declares(c, "limits", res)
}

# Guaranteed for one resource: a non-zero limit, and a request equal to it.
guaranteed_for(c, res) if {
	limit := amounts(c, "limits")[res]
	quantity.positive(limit)
	quantity.equal(request(c, res), limit)
}

# A container is Guaranteed when it is for both cpu and memory.
guaranteed(c) if {
	not invalid(c, "cpu")
	not invalid(c, "memory")
	guaranteed_for(c, "cpu")
	guaranteed_for(c, "memory")
}

# The resources (with valid values) for which a container is not Guaranteed.
not_guaranteed_for(c) := {res |
	some res in ["cpu", "memory"]
	not invalid(c, res)
	not guaranteed_for(c, res)
}
