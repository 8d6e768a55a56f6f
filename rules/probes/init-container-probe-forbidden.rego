package gavel.rules.init_container_probe_forbidden

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Probe or lifecycle hook on a regular init container
# description: >-
#   A regular init container (one without `restartPolicy: Always`) sets a livenessProbe,
#   readinessProbe, startupProbe or `lifecycle`. The API rejects it: "may not be set for init
#   containers without restartPolicy=Always". Only native sidecars may have probes and hooks.
# custom:
#   id: init-container-probe-forbidden
#   severity: error
#   remediation: >-
#     Remove the field, or add `restartPolicy: Always` if the container is meant to be a sidecar
#     that keeps running.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#differences-from-regular-containers
deny contains {"msg": msg, "path": array.concat(entry.path, [field])} if {
	some entry in k8s.containers
	entry.role == "init"
	some field in ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"]
	k8s.has(entry.container, field)
	msg := sprintf(
		"%s sets %s, which the API rejects on an init container without restartPolicy: Always",
		[k8s.describe(entry), field],
	)
}
