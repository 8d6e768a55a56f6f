package gavel.rules.missing_memory_limit

import data.gavel.lib.k8s
import data.gavel.lib.resources
import rego.v1

# METADATA
# title: Container without a memory limit
# description: >-
#   A container (app, sidecar or init container) has no memory limit, so a leak in it can use
#   all of the node's memory and get other pods evicted or killed. Not reported when the pod sets
#   a pod-level memory limit.
# custom:
#   id: missing-memory-limit
#   severity: warning
#   remediation: Set `resources.limits.memory`, usually equal to the memory request.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
warn contains {"msg": msg, "path": array.concat(entry.path, ["resources", "limits", "memory"])} if {
	some entry in resources.entries
	not resources.declares(entry.container, "limits", "memory")
	not resources.pod_level_set("limits", "memory")
	msg := sprintf("%s has no memory limit", [k8s.describe(entry)])
}
