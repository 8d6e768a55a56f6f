package gavel.rules.sidecar_no_probes

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar has no startup or readiness probe
# description: >-
#   A native sidecar has neither a startupProbe nor a readinessProbe. The containers after it
#   start as soon as its process runs, ready or not, and the pod reports Ready while the sidecar
#   may still be unable to serve.
# custom:
#   id: sidecar-no-probes
#   severity: warning
#   remediation: >-
#     Add a startupProbe (it holds back the containers after the sidecar until it succeeds) and a
#     readinessProbe (it keeps the pod out of Service endpoints while the sidecar is not ready).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
warn contains {"msg": msg, "path": array.concat(entry.path, ["startupProbe"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	not k8s.has(entry.container, "startupProbe")
	not k8s.has(entry.container, "readinessProbe")
	msg := sprintf(
		"%s has neither a startupProbe nor a readinessProbe: the app starts as soon as the sidecar's process runs",
		[k8s.describe(entry)],
	)
}
