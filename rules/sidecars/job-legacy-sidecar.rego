package gavel.rules.job_legacy_sidecar

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Job with a sidecar in its regular containers
# description: >-
#   A Job or CronJob runs a known sidecar image (a proxy or agent that does not exit) as a regular
#   container beside its app. A Job completes only when all its regular containers have exited,
#   so it never completes. Not reported when an app container's command or args mention
#   `quitquitquit`, the shutdown hook that makes istio's and cloud-sql-proxy's sidecars exit.
# custom:
#   id: job-legacy-sidecar
#   severity: error
#   remediation: >-
#     Move the sidecar to `initContainers` with `restartPolicy: Always` (a native sidecar, which
#     does not keep a Job from completing; Kubernetes 1.29 and later), or have the app call the
#     sidecar's shutdown hook when it is done.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#jobs-with-sidecar-containers
#     - https://github.com/GoogleCloudPlatform/cloud-sql-proxy/tree/main/examples/k8s-sidecar
deny contains {"msg": msg, "path": array.concat(entry.path, ["image"])} if {
	k8s.kind in k8s.job_kinds
	not k8s.calls_shutdown_hook
	some entry in k8s.containers
	entry.role == "legacy_sidecar"
	msg := sprintf(
		"%s runs the sidecar image %s as a regular container of a %s: it never exits, so the Job never completes",
		[k8s.describe(entry), entry.container.image, k8s.kind],
	)
}
