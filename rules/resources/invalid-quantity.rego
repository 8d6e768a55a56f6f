package gavel.rules.invalid_quantity

import data.gavel.lib.quantity
import data.gavel.lib.resources
import rego.v1

# METADATA
# title: Request or limit that is not a valid quantity
# description: >-
#   A request or limit is not a valid Kubernetes quantity: a number with an optional decimal
#   point, then a suffix that is one of `Ki Mi Gi Ti Pi Ei` (powers of 1024), `n u m k M G T P E`
#   (powers of 1000; `K` is not one) or an exponent like `e3`. `1gb`, `512MB`, `1 Gi` and `1K` are
#   all rejected, as is a negative amount. Other rules skip the resource.
# custom:
#   id: invalid-quantity
#   severity: error
#   remediation: >-
#     Write the amount with a valid suffix, such as `512Mi` or `1Gi` for memory and `500m` or `2`
#     for cpu.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
deny contains {"msg": msg, "path": array.concat(holder.path, [kind, res])} if {
	some holder in resources.holders
	some kind in ["requests", "limits"]
	some res, value in resources.amounts_in(holder.resources, kind)
	value != null
	not quantity.valid(value)
	msg := sprintf("%s has the %s %s %s, %s", [holder.label, res, singular[kind], shown(value), problem(value)])
}

singular := {"requests": "request", "limits": "limit"}

shown(value) := concat("", ["\"", value, "\""]) if is_string(value)

shown(value) := sprintf("%v", [value]) if not is_string(value)

problem(value) := "which is negative" if quantity.parse(value).negative

problem(value) := "which is not a valid quantity" if not quantity.parse(value)
