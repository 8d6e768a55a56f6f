package gavel.rules.container_restart_policy_unsupported

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Container restartPolicy or restartPolicyRules the API rejects
# description: >-
#   Reports three forms the API rejects: `restartPolicy` on a regular container when the target
#   is before Kubernetes 1.35 (the ContainerRestartRules feature is alpha and off by default in
#   1.34, on by default from 1.35); `restartPolicyRules` without an explicit `restartPolicy` on the
#   same container; and `restartPolicyRules` on a native sidecar, which does not support them
#   (unless the cluster turns on the alpha RestartAllContainersOnContainerExits feature gate of
#   1.35 and later).
# custom:
#   id: container-restart-policy-unsupported
#   severity: error
#   remediation: >-
#     Remove the field, or target a version that supports it; with `restartPolicyRules`, also set
#     the container's `restartPolicy`.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restart-rules
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/5307-container-restart-policy
deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicy"])} if {
	k8s.kube_minor < 35
	some entry in k8s.containers
	entry.field == "containers"
	k8s.has(entry.container, "restartPolicy")
	msg := sprintf(
		"%s sets restartPolicy, which Kubernetes %s does not accept on a regular container (only from 1.35, with ContainerRestartRules)",
		[k8s.describe(entry), k8s.kube_version],
	)
}

deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicyRules"])} if {
	some entry in k8s.containers
	entry.role in {"app", "legacy_sidecar", "init"}
	k8s.has(entry.container, "restartPolicyRules")
	not k8s.has(entry.container, "restartPolicy")
	msg := sprintf(
		"%s sets restartPolicyRules without restartPolicy: a container with rules must set its restartPolicy explicitly",
		[k8s.describe(entry)],
	)
}

deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicyRules"])} if {
	some entry in k8s.containers
	entry.role == "sidecar"
	k8s.has(entry.container, "restartPolicyRules")
	msg := sprintf(
		"%s sets restartPolicyRules, which native sidecars do not support (only with the alpha RestartAllContainersOnContainerExits feature gate, from 1.35)",
		[k8s.describe(entry)],
	)
}
