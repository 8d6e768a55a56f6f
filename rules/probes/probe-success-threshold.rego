package gavel.rules.probe_success_threshold

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Liveness or startup probe successThreshold other than 1
# description: >-
#   A livenessProbe or startupProbe sets `successThreshold` to a value other than 1 (0 is
#   defaulted to 1). The API rejects it: "must be 1". Only a readinessProbe may need several
#   successes in a row.
# custom:
#   id: probe-success-threshold
#   severity: error
#   remediation: Remove `successThreshold` or set it to 1.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
deny contains {"msg": msg, "path": array.concat(entry.path, [probe, "successThreshold"])} if {
	some entry in k8s.containers
	some probe in ["livenessProbe", "startupProbe"]
	threshold := entry.container[probe].successThreshold
	is_number(threshold)
	not threshold in {0, 1}
	msg := sprintf("the %s of %s sets successThreshold %v: it must be 1", [probe, k8s.describe(entry), threshold])
}
