package gavel.rules.resources_test

import data.gavel.rules.invalid_quantity
import data.gavel.rules.missing_resource_requests
import data.gavel.rules.requests_exceed_limits
import data.gavel.rules.sidecar_breaks_guaranteed_qos
import rego.v1

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

guaranteed := {"limits": {"cpu": "1", "memory": "1Gi"}}

# sidecar-facts 5.4: app Guaranteed plus a sidecar without resources -> Burstable.
test_sidecar_without_resources_breaks_qos if {
	spec := {
		"initContainers": [{"name": "s", "restartPolicy": "Always"}],
		"containers": [{"name": "app", "resources": guaranteed}],
	}
	[f.path | some f in sidecar_breaks_guaranteed_qos.warn] == [["spec", "initContainers", 0, "resources"]] with input as pod(spec)
}

# Both Guaranteed -> Guaranteed; a regular init container without resources -> Burstable.
test_qos_known_answers if {
	both := {
		"initContainers": [{"name": "s", "restartPolicy": "Always", "resources": guaranteed}],
		"containers": [{"name": "app", "resources": guaranteed}],
	}
	count(sidecar_breaks_guaranteed_qos.warn) == 0 with input as pod(both)
	init := {"initContainers": [{"name": "i"}], "containers": [{"name": "app", "resources": guaranteed}]}
	count(sidecar_breaks_guaranteed_qos.warn) == 1 with input as pod(init)
}

test_comparison_by_value if {
	same := {"containers": [{"name": "a", "resources": {"requests": {"cpu": "0.1", "memory": "1Gi"}, "limits": {"cpu": "100m", "memory": "1024Mi"}}}]}
	count(requests_exceed_limits.deny) == 0 with input as pod(same)
	more := {"containers": [{"name": "a", "resources": {"requests": {"cpu": "101m"}, "limits": {"cpu": "0.1"}}}]}
	[f.path | some f in requests_exceed_limits.deny] == [["spec", "containers", 0, "resources", "requests", "cpu"]] with input as pod(more)
}

test_invalid_is_reported_once if {
	spec := {"containers": [{"name": "a", "resources": {"requests": {"memory": "1gb"}, "limits": {"memory": "1Gi"}}}]}
	count(invalid_quantity.deny) == 1 with input as pod(spec)
	count(requests_exceed_limits.deny) == 0 with input as pod(spec)
	count(missing_resource_requests.warn) == 1 with input as pod(spec)
}

test_limit_implies_request if {
	spec := {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}
	count(missing_resource_requests.warn) == 0 with input as pod(spec)
}
