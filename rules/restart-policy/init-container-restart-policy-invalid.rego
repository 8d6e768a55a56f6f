package gavel.rules.init_container_restart_policy_invalid

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Init container restartPolicy other than Always
# description: >-
#   An init container sets `restartPolicy` to a value other than `Always`. Before Kubernetes 1.35
#   the only value the API accepts on an init container is `Always` (which makes it a native
#   sidecar); `Never` and `OnFailure` on regular init containers come with the
#   ContainerRestartRules feature, alpha and off by default in 1.34, on by default from 1.35.
# custom:
#   id: init-container-restart-policy-invalid
#   severity: error
#   remediation: >-
#     Remove `restartPolicy` for a regular init container, or set it to `Always` for a native
#     sidecar.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restart-rules
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/5307-container-restart-policy
deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicy"])} if {
	k8s.kube_minor < 35
	some entry in k8s.containers
	entry.role == "init"
	k8s.has(entry.container, "restartPolicy")
	msg := sprintf(
		"%s sets restartPolicy %v: Kubernetes %s accepts only Always on an init container",
		[k8s.describe(entry), entry.container.restartPolicy, k8s.kube_version],
	)
}
