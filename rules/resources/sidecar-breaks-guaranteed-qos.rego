package gavel.rules.sidecar_breaks_guaranteed_qos

import data.gavel.lib.k8s
import data.gavel.lib.resources
import rego.v1

# METADATA
# title: Sidecar or init container keeps the pod out of the Guaranteed QoS class
# description: >-
#   Every app container requests exactly its cpu and memory limits (Guaranteed), but a native
#   sidecar or init container does not, and the QoS class is computed over all of a pod's
#   containers, init containers and sidecars included: the pod is Burstable. It gets no exclusive
#   CPUs from the static CPU manager and is evicted before Guaranteed pods under memory pressure.
# custom:
#   id: sidecar-breaks-guaranteed-qos
#   severity: warning
#   remediation: >-
#     Give the sidecar or init container cpu and memory limits equal to its requests (a limit
#     alone implies an equal request).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#resource-sharing-within-containers
warn contains {"msg": msg, "path": array.concat(entry.path, ["resources"])} if {
	count(apps) > 0
	every app in apps {
		resources.guaranteed(app.container)
	}
	not resources.pod_level_set_any("cpu")
	not resources.pod_level_set_any("memory")
	some entry in resources.entries
	entry.role in {"sidecar", "init"}
	missing := resources.not_guaranteed_for(entry.container)
	count(missing) > 0
	msg := sprintf(
		"%s is not Guaranteed (its %s request must equal a non-zero limit), so the pod is Burstable although every app container is Guaranteed",
		[k8s.describe(entry), concat(" and ", sort(missing))],
	)
}

apps := [entry | some entry in k8s.containers; entry.role == "app"]
