package gavel.rules.istio_job_legacy_sidecar

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Istio injects a legacy sidecar into a Job
# description: >-
#   A Job's or CronJob's pod template asks Istio to inject its proxy (`sidecar.istio.io/inject`),
#   does not ask for the native form (`sidecar.istio.io/nativeSidecar: "true"`), and the target is
#   before Kubernetes 1.33. Istio injects native sidecars by default only when every node runs
#   1.33 or later; otherwise istio-proxy becomes a regular container that never exits, and the Job
#   never completes unless the app calls `curl -XPOST localhost:15020/quitquitquit` when done.
#   The sidecar is not in the manifest, so only the annotations tell.
# custom:
#   id: istio-job-legacy-sidecar
#   severity: warning
#   remediation: >-
#     Add the annotation `sidecar.istio.io/nativeSidecar: "true"` to the pod template (Kubernetes
#     1.29 and later), or have the app call the proxy's quitquitquit endpoint when it is done.
#   references:
#     - https://istio.io/latest/docs/reference/config/annotations/#SidecarNativeSidecar
#     - https://istio.io/latest/docs/ops/common-problems/injection/
warn contains {"msg": msg, "path": array.concat(k8s.pod.meta_path, inject_path)} if {
	k8s.kind in k8s.job_kinds
	k8s.kube_minor < 33
	not lower(object.get(k8s.annotations, "sidecar.istio.io/nativeSidecar", "")) == "true"
	msg := sprintf(
		"%s pod template asks Istio for its sidecar, which it injects as a regular container before Kubernetes 1.33: the Job never completes unless the app calls quitquitquit",
		[k8s.kind],
	)
}

# Istio reads the annotation first, then the label; yes, y, on and true enable injection.
enabling := {"y", "yes", "true", "on"}

inject_path := ["annotations", "sidecar.istio.io/inject"] if {
	lower(k8s.annotations["sidecar.istio.io/inject"]) in enabling
} else := ["labels", "sidecar.istio.io/inject"] if {
	not k8s.annotations["sidecar.istio.io/inject"]
	lower(k8s.labels["sidecar.istio.io/inject"]) in enabling
}
