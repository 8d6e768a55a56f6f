package gavel.rules.missing_resource_requests

import data.gavel.lib.k8s
import data.gavel.lib.resources
import rego.v1

# METADATA
# title: Container without a cpu or memory request
# description: >-
#   A container (app, sidecar or init container) has neither a request nor a limit for cpu, or
#   for memory (a limit implies an equal request). The scheduler counts it as needing nothing, so
#   the node can be overcommitted, and the container is the first to be evicted under memory
#   pressure. Sidecars count as well: they run beside the app for the pod's whole life and add to
#   the pod's requests. Not reported when the pod sets pod-level resources for it.
# custom:
#   id: missing-resource-requests
#   severity: warning
#   remediation: Set `resources.requests` for cpu and memory from the container's measured use.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#resource-sharing-within-containers
warn contains {"msg": msg, "path": array.concat(entry.path, ["resources", "requests", res])} if {
	some entry in resources.entries
	some res in ["cpu", "memory"]
	not resources.declares(entry.container, "requests", res)
	not resources.declares(entry.container, "limits", res)
	not resources.pod_level_set_any(res)
	msg := sprintf("%s has no %s request (nor a limit that implies one)", [k8s.describe(entry), res])
}
