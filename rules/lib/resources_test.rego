package gavel.lib.resources_test

import data.gavel.lib.resources
import rego.v1

# Known answers from sidecar-facts section 5.4.

c(requests, limits) := {"resources": {"requests": requests, "limits": limits}}

test_guaranteed_needs_equal_nonzero_cpu_and_memory if {
	resources.guaranteed(c({"cpu": "1", "memory": "1Gi"}, {"cpu": "1000m", "memory": "1024Mi"}))
	not resources.guaranteed(c({"cpu": "500m", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"}))
	not resources.guaranteed(c({"cpu": "1"}, {"cpu": "1"}))
	not resources.guaranteed(c({"cpu": "0", "memory": "0"}, {"cpu": "0", "memory": "0"}))
	not resources.guaranteed({})
}

# A container with limits only has its requests defaulted to them.
test_limits_only_is_guaranteed if {
	resources.guaranteed(c({}, {"cpu": "100m", "memory": "64Mi"}))
	resources.guaranteed({"resources": {"limits": {"cpu": 0.1, "memory": "64Mi"}}})
}

test_not_guaranteed_for if {
	resources.not_guaranteed_for({}) == {"cpu", "memory"}
	resources.not_guaranteed_for(c({"cpu": "100m"}, {"cpu": "100m", "memory": "1Gi"})) == set()
	resources.not_guaranteed_for(c({"cpu": "50m"}, {"cpu": "100m", "memory": "1Gi"})) == {"cpu"}
}

# An invalid value is skipped: it neither makes a container Guaranteed nor reports it as not.
test_invalid_values_are_skipped if {
	resources.invalid(c({"memory": "1gb"}, {}), "memory")
	resources.not_guaranteed_for(c({"memory": "1gb"}, {"cpu": "1"})) == set()
	not resources.guaranteed(c({"memory": "1gb"}, {"cpu": "1", "memory": "1Gi"}))
}

test_request_defaults_to_limit if {
	resources.request(c({}, {"cpu": "2"}), "cpu") == "2"
	resources.request(c({"cpu": "1"}, {"cpu": "2"}), "cpu") == "1"
	not resources.request(c({}, {}), "cpu")
}

# A request or limit is declared when it is present and not null, whatever holds it.
test_declares if {
	resources.declares(c({"cpu": "1"}, {}), "requests", "cpu")
	resources.declares(c({"cpu": 0}, {}), "requests", "cpu")
	not resources.declares(c({"cpu": null}, {}), "requests", "cpu")
	not resources.declares(c({"cpu": "1"}, {}), "limits", "cpu")
	not resources.declares(c({}, {}), "requests", "memory")
	not resources.declares({"resources": {"requests": "1"}}, "requests", "cpu")
	not resources.declares({"resources": null}, "requests", "cpu")
	not resources.declares("not a container", "requests", "cpu")
}

# Requests and limits are an object, empty for anything malformed on the way.
test_amounts_in if {
	resources.amounts_in({"requests": {"cpu": "1"}}, "requests") == {"cpu": "1"}
	resources.amounts_in({"requests": {"cpu": "1"}}, "limits") == {}
	resources.amounts_in({"requests": ["1"]}, "requests") == {}
	resources.amounts_in({"requests": null}, "requests") == {}
	resources.amounts_in(null, "requests") == {}
	resources.amounts_in("requests", "requests") == {}
	resources.amounts_in([{"cpu": "1"}], "requests") == {}
}
