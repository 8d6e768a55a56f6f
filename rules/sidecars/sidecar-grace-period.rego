package gavel.rules.sidecar_grace_period

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar's preStop sleep uses up the grace period
# description: >-
#   A native sidecar's `preStop` hook sleeps for at least the pod's
#   `terminationGracePeriodSeconds` (30 when unset). Sidecars share the pod's single grace
#   period, their preStop hooks run when termination starts, and they are stopped only after the
#   app has exited. With the whole period spent sleeping, the grace period runs out and every
#   container left is killed, the sidecar without a clean shutdown.
# custom:
#   id: sidecar-grace-period
#   severity: warning
#   remediation: >-
#     Shorten the sleep, or raise `terminationGracePeriodSeconds` above the sleep plus the time the
#     app and the sidecars need to shut down.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#termination-with-sidecars
#     - https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
warn contains {"msg": msg, "path": array.concat(entry.path, ["lifecycle", "preStop", "sleep", "seconds"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	seconds := entry.container.lifecycle.preStop.sleep.seconds
	is_number(seconds)
	seconds >= grace_period
	msg := sprintf(
		"%s sleeps %vs in preStop, at least the pod's terminationGracePeriodSeconds (%v): the grace period runs out before the pod can stop cleanly",
		[k8s.describe(entry), seconds, grace_period],
	)
}

default grace_period := 30

grace_period := p if {
	p := k8s.pod.spec.terminationGracePeriodSeconds
	is_number(p)
}
