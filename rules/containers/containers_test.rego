package gavel.rules.containers_test

import data.gavel.rules.duplicate_container_name
import data.gavel.rules.host_port_conflict
import rego.v1

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

test_duplicates_reported_after_the_first if {
	spec := {
		"containers": [{"name": "a"}, {"name": "b"}],
		"initContainers": [{"name": "a"}],
		"ephemeralContainers": [{"name": "b"}, {"name": "a"}],
	}
	paths := {f.path | some f in duplicate_container_name.deny} with input as pod(spec)
	paths == {
		["spec", "initContainers", 0, "name"],
		["spec", "ephemeralContainers", 0, "name"],
		["spec", "ephemeralContainers", 1, "name"],
	}
}

port(p, proto, ip) := {"containerPort": p, "hostPort": p, "protocol": proto, "hostIP": ip}

test_host_ports if {
	spec := {
		"initContainers": [
			{"name": "s1", "restartPolicy": "Always", "ports": [port(80, "TCP", "")]},
			{"name": "s2", "restartPolicy": "Always", "ports": [port(80, "TCP", "10.0.0.1"), port(53, "UDP", "")]},
			{"name": "init", "ports": [port(53, "UDP", "")]},
		],
		"containers": [{"name": "app", "ports": [port(53, "TCP", "")]}],
	}
	paths := {f.path | some f in host_port_conflict.warn} with input as pod(spec)
	paths == {["spec", "initContainers", 1, "ports", 0, "hostPort"]}
}
