package gavel.rules.sidecar_restart_policy_missing

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Sidecar image in an init container without restartPolicy
# description: >-
#   An init container runs a known sidecar image (a proxy, log shipper or agent that does not
#   exit) but has no `restartPolicy`, so it is a regular init container: the kubelet waits for it
#   to exit before it starts the next container, and the pod hangs in Init forever. The one-shot
#   forms of these images (istio-iptables, istio-validation, linkerd2-proxy-init,
#   linkerd2-network-validator, vault agent -exit-after-auth) exit and are not reported.
# custom:
#   id: sidecar-restart-policy-missing
#   severity: error
#   remediation: >-
#     Add `restartPolicy: Always` to make it a native sidecar (Kubernetes 1.29 and later), or move
#     it to `containers`.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     - https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers
deny contains {"msg": msg, "path": array.concat(entry.path, ["restartPolicy"])} if {
	some entry in k8s.containers
	entry.role == "init"
	not k8s.has(entry.container, "restartPolicy")
	k8s.runs_sidecar(entry.container)
	msg := sprintf(
		"%s runs the sidecar image %s but has no restartPolicy: it never exits, so the pod hangs in Init",
		[k8s.describe(entry), entry.container.image],
	)
}
