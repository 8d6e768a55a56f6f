package gavel.rules.workload_restart_policy

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Controller pod template restartPolicy other than Always
# description: >-
#   A Deployment, StatefulSet, DaemonSet, ReplicaSet or ReplicationController runs pods that must
#   be restarted forever; the API accepts only `restartPolicy: Always` (the default) in its pod
#   template.
# custom:
#   id: workload-restart-policy
#   severity: error
#   remediation: Remove `restartPolicy` from the pod template or set it to `Always`.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template
deny contains {"msg": msg, "path": array.concat(k8s.pod.path, ["restartPolicy"])} if {
	k8s.kind in k8s.controller_kinds
	policy := k8s.pod.spec.restartPolicy
	policy != null
	policy != "Always"
	msg := sprintf("%s pod template has restartPolicy %v: only Always is allowed", [k8s.kind, policy])
}
