package gavel.rules.sidecar_startup_not_gated

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar relies on a readinessProbe to hold the app back
# description: >-
#   A native sidecar has a readinessProbe but no startupProbe. The kubelet starts the next init
#   container, and then the app, as soon as the sidecar is running and its startupProbe (if any)
#   has succeeded; the readinessProbe is not consulted, it only gates the pod's Ready condition.
#   So the app may start before the sidecar is ready (a proxy that drops the app's first
#   connections, for example).
# custom:
#   id: sidecar-startup-not-gated
#   severity: warning
#   remediation: >-
#     Add a startupProbe that succeeds when the sidecar is ready (often the same check as its
#     readinessProbe, as Istio's native sidecar does).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers#readiness-probe
warn contains {"msg": msg, "path": array.concat(entry.path, ["readinessProbe"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	k8s.has(entry.container, "readinessProbe")
	not k8s.has(entry.container, "startupProbe")
	msg := sprintf(
		"%s has a readinessProbe but no startupProbe: readiness does not hold back the containers after it, so the app may start before the sidecar is ready",
		[k8s.describe(entry)],
	)
}
