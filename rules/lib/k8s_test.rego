package gavel.lib.k8s_test

import data.gavel.lib.k8s
import rego.v1

deployment(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"metadata": {"annotations": {"a": "b"}}, "spec": spec}},
}

images := ["proxyv2", "envoy", "linkerd/proxy", "fluent-bit", "cloud-sql-proxy", "hashicorp/vault"]

test_pod_spec_paths if {
	k8s.pod.path == ["spec"] with input as {"apiVersion": "v1", "kind": "Pod", "spec": {}}
	k8s.pod.path == ["template", "spec"] with input as {"apiVersion": "v1", "kind": "PodTemplate", "template": {"spec": {}}}
	k8s.pod.path == ["spec", "template", "spec"] with input as deployment({})
	k8s.pod.meta_path == ["spec", "template", "metadata"] with input as deployment({})
	k8s.pod.path == ["spec", "jobTemplate", "spec", "template", "spec"] with input as {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}},
	}
	k8s.pod.path == ["spec", "template", "spec"] with input as {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "Rollout",
		"spec": {"template": {"spec": {}}},
	}
}

test_no_pod_spec if {
	not k8s.pod with input as {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "spec": {"workloadRef": {"name": "x"}}}
	not k8s.pod with input as {"apiVersion": "v1", "kind": "Service", "spec": {}}
	not k8s.pod with input as {"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": {"spec": {}}}}
	not k8s.pod with input as {"apiVersion": "v1", "kind": "Pod", "spec": "oops"}
	not k8s.pod with input as ["not", "an", "object"]
}

test_template_metadata if {
	k8s.annotations == {"a": "b"} with input as deployment({})
	k8s.labels == {} with input as deployment({})
}

test_roles if {
	spec := {
		"initContainers": [
			{"name": "init", "image": "busybox"},
			{"name": "sidecar", "image": "busybox", "restartPolicy": "Always"},
		],
		"containers": [
			{"name": "app", "image": "example.com/app:1"},
			{"name": "proxy", "image": "docker.io/istio/proxyv2:1.22.0"},
		],
		"ephemeralContainers": [{"name": "debug", "image": "busybox"}],
	}
	roles := {e.name: e.role | some e in k8s.containers} with input as deployment(spec)
		with data.gavel.sidecar_images as images
	roles == {"init": "init", "sidecar": "sidecar", "app": "app", "proxy": "legacy_sidecar", "debug": "ephemeral"}
}

test_container_paths if {
	spec := {"initContainers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "c"}]}
	paths := {e.name: e.path | some e in k8s.containers} with input as deployment(spec)
	paths.b == ["spec", "template", "spec", "initContainers", 1]
	paths.c == ["spec", "template", "spec", "containers", 0]
}

# Container lists that are not arrays (even an object whose values look like containers), and
# items that are not objects, hold no containers.
test_malformed_container_lists if {
	spec := {"containers": {"x": {"name": "c"}}, "initContainers": "a", "ephemeralContainers": [null, "x", {"name": "d"}]}
	names := {e.name | some e in k8s.containers} with input as deployment(spec)
	names == {"d"}
}

# A pod whose regular containers all run sidecar images (an envoy gateway) has no legacy sidecar.
test_only_sidecar_images_are_apps if {
	spec := {"containers": [{"name": "envoy", "image": "envoyproxy/envoy:v1.30.1"}]}
	roles := {e.role | some e in k8s.containers} with input as deployment(spec)
		with data.gavel.sidecar_images as images
	roles == {"app"}
}

test_image_matching if {
	k8s.sidecar_image("cr.l5d.io/linkerd/proxy:edge-24.5.1") with data.gavel.sidecar_images as images
	k8s.sidecar_image("linkerd/proxy") with data.gavel.sidecar_images as images
	not k8s.sidecar_image("cr.l5d.io/linkerd/proxy-init:v2") with data.gavel.sidecar_images as images
	not k8s.sidecar_image("example.com/notlinkerd/proxy") with data.gavel.sidecar_images as images
	k8s.sidecar_image("gcr.io/istio-testing/proxyv2:latest") with data.gavel.sidecar_images as images
	k8s.sidecar_image("envoyproxy/envoy@sha256:0123") with data.gavel.sidecar_images as images
	k8s.sidecar_image("registry.local:5000/envoy") with data.gavel.sidecar_images as images
	not k8s.sidecar_image("envoyproxy/envoy-distroless:v1") with data.gavel.sidecar_images as images
	not k8s.sidecar_image("example.com/vault:1.15") with data.gavel.sidecar_images as images
	k8s.sidecar_image("docker.io/hashicorp/vault:1.15") with data.gavel.sidecar_images as images
}

# Entries match whole components only: a longer path at its end, a bare name as the last
# component, never a middle component or part of one; entries that are not strings match nothing.
test_image_matching_at_component_boundaries if {
	entries := ["team/sub/agent", "proxyv2", 7, null]
	k8s.sidecar_image("registry.example.com/team/sub/agent:1") with data.gavel.sidecar_images as entries
	k8s.sidecar_image("team/sub/agent") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("registry.example.com/myteam/sub/agent:1") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("team/sub/agent-init") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("istio/proxyv2/debug:1") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("istio/oxyv2") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("7") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image(7) with data.gavel.sidecar_images as entries
	k8s.sidecar_image("proxyv2") with data.gavel.sidecar_images as entries

	# Positions count characters, not bytes: a registry name with accents cuts in the same place.
	k8s.sidecar_image("régistry.exämple/team/sub/agent:1") with data.gavel.sidecar_images as entries
	not k8s.sidecar_image("régistry.exämple/myteam/sub/agent:1") with data.gavel.sidecar_images as entries
}

test_image_tags if {
	k8s.repository("registry.local:5000/team/envoy:v1@sha256:00") == "registry.local:5000/team/envoy"
	k8s.image_tag("registry.local:5000/team/envoy:v1@sha256:00") == "v1"
	not k8s.image_tag("registry.local:5000/team/envoy")
	k8s.image_tag("envoy:latest") == "latest"
	k8s.has_digest("envoy@sha256:00")
}

test_one_shot_forms if {
	k8s.one_shot({"args": ["istio-iptables", "-p", "15001"]})
	k8s.one_shot({"command": ["/usr/local/bin/istio-iptables"]})
	k8s.one_shot({"command": ["sh", "-c", "exec /usr/lib/linkerd/linkerd2-network-validator --timeout 10s"]})
	k8s.one_shot({"args": ["agent", "-config=/etc/agent.hcl", "-exit-after-auth"]})
	k8s.one_shot({"args": ["agent", "--exit-after-auth=true"]})
	not k8s.one_shot({"args": ["agent", "-exit-after-auth=false"]})
	not k8s.one_shot({"args": ["proxy", "sidecar"]})
	not k8s.one_shot({"args": ["istio-iptables-wrapper"]})
}

test_kube_minor if {
	k8s.kube_minor == 28 with data.gavel.kube_version as "1.28"
	k8s.kube_minor == 33 with data.gavel.kube_version as "1.33"
	k8s.kube_minor > 40 with data.gavel.kube_version as "2.0"
}

test_shutdown_hook if {
	spec := {"containers": [
		{"name": "app", "image": "example.com/app", "args": ["curl -X POST localhost:15020/quitquitquit"]},
		{"name": "proxy", "image": "istio/proxyv2:1"},
	]}
	k8s.calls_shutdown_hook with input as deployment(spec) with data.gavel.sidecar_images as images
}
