package gavel.rules.readiness_probe_grace_period

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: readinessProbe sets terminationGracePeriodSeconds
# description: >-
#   A readinessProbe sets `terminationGracePeriodSeconds`. A failing readiness probe never kills
#   the container, so the field has no meaning there, and the API rejects it: "must not be set
#   for readinessProbes".
# custom:
#   id: readiness-probe-grace-period
#   severity: error
#   remediation: >-
#     Remove it from the readinessProbe (on a livenessProbe or startupProbe it sets the grace
#     period used when that probe kills the container).
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#probe-level-terminationgraceperiodseconds
deny contains {"msg": msg, "path": array.concat(entry.path, ["readinessProbe", "terminationGracePeriodSeconds"])} if {
	some entry in k8s.containers
	k8s.has(entry.container.readinessProbe, "terminationGracePeriodSeconds")
	msg := sprintf(
		"the readinessProbe of %s sets terminationGracePeriodSeconds, which the API rejects on a readinessProbe",
		[k8s.describe(entry)],
	)
}
