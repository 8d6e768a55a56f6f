package gavel.rules.job_restart_policy

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Job pod template restartPolicy missing or not OnFailure/Never
# description: >-
#   A Job's or CronJob's pod template must set `restartPolicy` to `OnFailure` or `Never`; the API
#   rejects the Job when it is missing (the pod default, `Always`, is not allowed) or has any
#   other value.
# custom:
#   id: job-restart-policy
#   severity: error
#   remediation: >-
#     Set `restartPolicy: Never` (required with a podFailurePolicy) or `restartPolicy: OnFailure`
#     in the pod template.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template
deny contains {"msg": msg, "path": array.concat(k8s.pod.path, ["restartPolicy"])} if {
	k8s.kind in k8s.job_kinds
	not k8s.has(k8s.pod.spec, "restartPolicy")
	msg := sprintf("%s pod template has no restartPolicy: a Job needs OnFailure or Never", [k8s.kind])
}

deny contains {"msg": msg, "path": array.concat(k8s.pod.path, ["restartPolicy"])} if {
	k8s.kind in k8s.job_kinds
	policy := k8s.pod.spec.restartPolicy
	policy != null
	not policy in {"OnFailure", "Never"}
	msg := sprintf("%s pod template has restartPolicy %v: a Job needs OnFailure or Never", [k8s.kind, policy])
}
