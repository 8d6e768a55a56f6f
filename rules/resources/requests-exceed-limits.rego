package gavel.rules.requests_exceed_limits

import data.gavel.lib.quantity
import data.gavel.lib.resources
import rego.v1

# METADATA
# title: Request greater than the limit
# description: >-
#   A request is greater than the limit of the same resource, compared by value (so `0.5` and
#   `500m`, or `1Gi` and `1024Mi`, are equal). The API rejects it: "must be less than or equal to
#   the limit".
# custom:
#   id: requests-exceed-limits
#   severity: error
#   remediation: Lower the request or raise the limit.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
deny contains {"msg": msg, "path": array.concat(holder.path, ["requests", res])} if {
	some holder in resources.holders
	some res, request in resources.amounts_in(holder.resources, "requests")
	limit := resources.amounts_in(holder.resources, "limits")[res]
	quantity.valid(request)
	quantity.valid(limit)
	quantity.greater(request, limit)
	msg := sprintf(
		"%s requests %s %s, more than its limit %s",
		[holder.label, res, quantity.text(request), quantity.text(limit)],
	)
}
