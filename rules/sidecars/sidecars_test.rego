package gavel.rules.sidecars_test

import data.gavel.rules.init_order_sidecar_dependency
import data.gavel.rules.job_legacy_sidecar
import data.gavel.rules.legacy_sidecar
import data.gavel.rules.native_sidecar_kube_version
import data.gavel.rules.sidecar_grace_period
import data.gavel.rules.sidecar_restart_policy_missing
import data.gavel.rules.sidecar_startup_depends_on_app
import data.gavel.rules.sidecar_startup_not_gated
import rego.v1

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

job(spec) := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": spec}}}

images := ["proxyv2", "cloud-sql-proxy", "envoy"]

sidecar(name, extra) := object.union({"name": name, "image": "example.com/agent:1", "restartPolicy": "Always"}, extra)

# sidecar-facts 3, known answers (a) and (b): readiness does not gate, startup does.
test_readiness_only_is_not_gated if {
	spec := {
		"initContainers": [sidecar("proxy", {"readinessProbe": {"httpGet": {"path": "/", "port": 15021}}})],
		"containers": [{"name": "app"}],
	}
	[f.path | some f in sidecar_startup_not_gated.warn] == [["spec", "initContainers", 0, "readinessProbe"]] with input as pod(spec)
}

test_startup_probe_gates if {
	spec := {
		"initContainers": [sidecar("proxy", {
			"readinessProbe": {"httpGet": {"path": "/", "port": 15021}},
			"startupProbe": {"httpGet": {"path": "/", "port": 15021}},
		})],
		"containers": [{"name": "app"}],
	}
	count(sidecar_startup_not_gated.warn) == 0 with input as pod(spec)
}

# Known answer (c): a regular init container placed before a sidecar cannot use it.
test_init_before_sidecar_cannot_use_it if {
	spec := {
		"initContainers": [
			{"name": "migrate", "command": ["migrate", "--db=localhost:5432"]},
			sidecar("db-proxy", {"ports": [{"containerPort": 5432}]}),
		],
		"containers": [{"name": "app"}],
	}
	paths := {f.path | some f in init_order_sidecar_dependency.deny} with input as pod(spec)
	paths == {["spec", "initContainers", 0, "command", 1]}
}

test_init_after_sidecar_can_use_it if {
	spec := {
		"initContainers": [
			sidecar("db-proxy", {"ports": [{"containerPort": 5432}]}),
			{"name": "migrate", "command": ["migrate", "--db=localhost:5432"]},
		],
		"containers": [{"name": "app", "ports": [{"containerPort": 5432}]}],
	}
	count(init_order_sidecar_dependency.deny) == 0 with input as pod(spec)
}

test_ports_in_other_hosts_do_not_count if {
	spec := {
		"initContainers": [{"name": "wait", "args": ["until nc -z db.local:8080 myhost.localhost:8080; do sleep 1; done"]}],
		"containers": [{"name": "app", "ports": [{"containerPort": 8080}]}],
	}
	count(init_order_sidecar_dependency.deny) == 0 with input as pod(spec)
}

test_startup_probe_on_app_port_deadlocks if {
	spec := {
		"initContainers": [sidecar("proxy", {"startupProbe": {"tcpSocket": {"port": "8080"}}})],
		"containers": [{"name": "app", "ports": [{"containerPort": 8080}]}],
	}
	[f.path | some f in sidecar_startup_depends_on_app.warn] == [["spec", "initContainers", 0, "startupProbe", "tcpSocket", "port"]] with input as pod(spec)
}

test_startup_probe_on_another_host if {
	spec := {
		"initContainers": [sidecar("proxy", {"startupProbe": {"httpGet": {"host": "example.com", "port": 8080}}})],
		"containers": [{"name": "app", "ports": [{"containerPort": 8080}]}],
	}
	count(sidecar_startup_depends_on_app.warn) == 0 with input as pod(spec)
}

test_restart_policy_missing_only_for_long_running_images if {
	spec := {
		"initContainers": [
			{"name": "istio-init", "image": "istio/proxyv2:1.22", "args": ["istio-iptables"]},
			{"name": "istio-proxy", "image": "istio/proxyv2:1.22", "args": ["proxy", "sidecar"]},
			{"name": "fetch", "image": "busybox"},
		],
		"containers": [{"name": "app"}],
	}
	found := {f.path | some f in sidecar_restart_policy_missing.deny} with input as pod(spec)
		with data.gavel.sidecar_images as images
	found == {["spec", "initContainers", 1, "restartPolicy"]}
}

test_job_with_legacy_sidecar if {
	spec := {"containers": [{"name": "app", "image": "example.com/app"}, {"name": "proxy", "image": "gcr.io/x/cloud-sql-proxy:2"}]}
	count(job_legacy_sidecar.deny) == 1 with input as job(spec) with data.gavel.sidecar_images as images
	count(legacy_sidecar.warn) == 0 with input as job(spec) with data.gavel.sidecar_images as images
	count(legacy_sidecar.warn) == 1 with input as pod(spec) with data.gavel.sidecar_images as images
	count(legacy_sidecar.warn) == 0 with input as pod(spec) with data.gavel.sidecar_images as images
		with data.gavel.kube_version as "1.28"
}

test_native_sidecar_kube_version_severities if {
	input_pod := pod({"initContainers": [sidecar("s", {})], "containers": [{"name": "app"}]})
	count(native_sidecar_kube_version.deny) == 1 with input as input_pod with data.gavel.kube_version as "1.27"
	count(native_sidecar_kube_version.warn) == 0 with input as input_pod with data.gavel.kube_version as "1.27"
	count(native_sidecar_kube_version.deny) == 0 with input as input_pod with data.gavel.kube_version as "1.28"
	count(native_sidecar_kube_version.warn) == 1 with input as input_pod with data.gavel.kube_version as "1.28"
	count(native_sidecar_kube_version.deny) == 0 with input as input_pod with data.gavel.kube_version as "1.29"
	count(native_sidecar_kube_version.warn) == 0 with input as input_pod with data.gavel.kube_version as "1.29"
}

test_grace_period_default_is_30 if {
	s := sidecar("s", {"lifecycle": {"preStop": {"sleep": {"seconds": 29}}}})
	count(sidecar_grace_period.warn) == 0 with input as pod({"initContainers": [s], "containers": [{"name": "a"}]})
	s30 := sidecar("s", {"lifecycle": {"preStop": {"sleep": {"seconds": 30}}}})
	count(sidecar_grace_period.warn) == 1 with input as pod({"initContainers": [s30], "containers": [{"name": "a"}]})
	count(sidecar_grace_period.warn) == 0 with input as pod({"terminationGracePeriodSeconds": 31, "initContainers": [s30], "containers": [{"name": "a"}]})
}
