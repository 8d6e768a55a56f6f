# An example policy: containers of a Deployment need a readiness probe.
package examples.probes

deny contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not c.readinessProbe
	msg := sprintf("container %q has no readiness probe", [c.name])
}

# Unit tests run with `with input as ...`.
test_missing_probe if {
	count(deny) == 1 with input as {
		"kind": "Deployment",
		"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}},
	}
}
