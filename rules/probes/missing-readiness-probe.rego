package gavel.rules.missing_readiness_probe

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: App container of a long-running workload without a readinessProbe
# description: >-
#   An app container of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController
#   or Argo Rollout has no readinessProbe. Its pod is then Ready, and receives traffic, as soon as
#   its containers run, and a rollout moves on before the new pods can serve. Sidecars are judged
#   by their own rules (sidecar-no-probes).
# custom:
#   id: missing-readiness-probe
#   severity: warning
#   remediation: Add a readinessProbe that succeeds only when the container can serve.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes
warn contains {"msg": msg, "path": array.concat(entry.path, ["readinessProbe"])} if {
	k8s.kind in kinds
	some entry in k8s.containers
	entry.role == "app"
	not k8s.has(entry.container, "readinessProbe")
	msg := sprintf("%s has no readinessProbe: the pod receives traffic as soon as it runs", [k8s.describe(entry)])
}

kinds := k8s.controller_kinds | {"Rollout"}
