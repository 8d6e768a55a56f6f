package gavel.rules.liveness_equals_readiness

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Identical liveness and readiness probes
# description: >-
#   A container's livenessProbe and readinessProbe are the same (after the API's defaults for
#   delays, periods and thresholds). When the check fails under load the container is taken out
#   of its Services and restarted at the same moment, so a slow dependency turns into a restart
#   loop. A liveness probe should only fail when a restart helps.
# custom:
#   id: liveness-equals-readiness
#   severity: warning
#   remediation: >-
#     Make the liveness check cheaper and more tolerant than the readiness check (another endpoint,
#     or a higher failureThreshold).
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
warn contains {"msg": msg, "path": array.concat(entry.path, ["livenessProbe"])} if {
	some entry in k8s.containers
	liveness := entry.container.livenessProbe
	readiness := entry.container.readinessProbe
	is_object(liveness)
	is_object(readiness)
	normalized(liveness) == normalized(readiness)
	msg := sprintf(
		"%s has identical liveness and readiness probes: a failing check restarts it at the moment it leaves its Services",
		[k8s.describe(entry)],
	)
}

# The API's defaults for fields that are unset or 0.
defaults := {"initialDelaySeconds": 0, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}

# The probe with each of those fields that is unset, 0 or null replaced by its default (the
# fields that are set keep their value through the union).
normalized(probe) := object.union(probe, {k: d | some k, d in defaults; object.get(probe, k, 0) in {0, null}})
