# An example custom rule for `gavel scan --policy examples/policy`.
package examples.labels

# METADATA
# title: Pod template has no labels
# description: Services, NetworkPolicies and dashboards select pods by label.
# custom:
#   id: pod-template-labels
#   severity: warning
#   remediation: Add metadata.labels to the pod template (for example app and team).
warn contains {"msg": sprintf("%s %q: the pod template has no labels", [input.kind, input.metadata.name]), "path": ["spec", "template", "metadata", "labels"]} if {
	input.spec.template.spec
	not input.spec.template.metadata.labels
}

test_job_without_labels if {
	count(warn) == 1 with input as {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {}}}}
}

test_labelled_template if {
	count(warn) == 0 with input as {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": {}}}}
}
