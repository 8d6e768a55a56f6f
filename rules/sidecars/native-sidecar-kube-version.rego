package gavel.rules.native_sidecar_kube_version

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Native sidecar on a Kubernetes version without them
# description: >-
#   The pod has a native sidecar (an init container with `restartPolicy: Always`), and the target
#   Kubernetes version does not support them. Before 1.28 the API server drops the unknown field,
#   so the sidecar becomes a regular init container that never exits and the pod hangs in Init.
#   In 1.28 the SidecarContainers feature gate is alpha and off by default, with the same result
#   unless the cluster turned it on (reported as a warning). It is on by default from 1.29.
# custom:
#   id: native-sidecar-kube-version
#   severity: error
#   when: below Kubernetes 1.28
#   remediation: >-
#     Target Kubernetes 1.29 or later (`--kube-version`), or run the sidecar as a regular container
#     until the cluster is upgraded.
#   references:
#     - https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers
deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicy"])} if {
	k8s.kube_minor < 28
	some entry in k8s.containers
	entry.role == "sidecar"
	msg := sprintf(
		"%s needs Kubernetes 1.29 (or 1.28 with the SidecarContainers feature gate): Kubernetes %s drops its restartPolicy, so it never exits and the pod hangs in Init",
		[k8s.describe(entry), k8s.kube_version],
	)
}

# METADATA
# title: Native sidecar on a Kubernetes version without them
# description: >-
#   The pod has a native sidecar (an init container with `restartPolicy: Always`), and the target
#   Kubernetes version does not support them. Before 1.28 the API server drops the unknown field,
#   so the sidecar becomes a regular init container that never exits and the pod hangs in Init.
#   In 1.28 the SidecarContainers feature gate is alpha and off by default, with the same result
#   unless the cluster turned it on (reported as a warning). It is on by default from 1.29.
# custom:
#   id: native-sidecar-kube-version
#   severity: warning
#   when: at Kubernetes 1.28
#   remediation: >-
#     Target Kubernetes 1.29 or later (`--kube-version`), or run the sidecar as a regular container
#     until the cluster is upgraded.
#   references:
#     - https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers
warn contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicy"])} if {
	k8s.kube_minor == 28
	some entry in k8s.containers
	entry.role == "sidecar"
	msg := sprintf(
		"%s needs the SidecarContainers feature gate in Kubernetes 1.28 (alpha, off by default); without it the pod hangs in Init",
		[k8s.describe(entry)],
	)
}
