package gavel.rules.legacy_sidecar

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Sidecar in regular containers where a native sidecar is available
# description: >-
#   A known sidecar image runs as a regular container beside the app, and the target Kubernetes
#   version (1.29 or later) supports native sidecars. As a regular container the sidecar starts
#   at the same time as the app (so the app may start before its proxy is ready), and it is not
#   stopped after the app on shutdown. A native sidecar starts before the app and stops after
#   it. Jobs and CronJobs are reported by job-legacy-sidecar instead, unless their app calls the
#   sidecar's shutdown hook.
# custom:
#   id: legacy-sidecar
#   severity: warning
#   remediation: >-
#     Move the sidecar to `initContainers` with `restartPolicy: Always`, and give it a
#     startupProbe if the app needs it to be ready when it starts.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://kubernetes.io/blog/2023/08/25/native-sidecar-containers/
warn contains {"msg": msg, "path": array.concat(entry.path, ["image"])} if {
	k8s.kube_minor >= 29
	applies
	some entry in k8s.containers
	entry.role == "legacy_sidecar"
	msg := sprintf(
		"%s runs the sidecar image %s as a regular container; Kubernetes %s supports native sidecars (initContainers with restartPolicy: Always)",
		[k8s.describe(entry), entry.container.image, k8s.kube_version],
	)
}

applies if not k8s.kind in k8s.job_kinds

applies if k8s.calls_shutdown_hook
