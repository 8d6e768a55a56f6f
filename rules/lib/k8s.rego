# METADATA
# title: Workloads, pod specs and container roles
# description: |
#   The definitions every bundled rule shares (see docs/rules/README.md): where the pod spec of a
#   workload lives, each container with its role (app, legacy sidecar, native sidecar, init,
#   ephemeral) and its path, known sidecar images and their one-shot forms, and the target
#   Kubernetes version. Standard Rego v1 only, so the rules run unchanged in OPA.
package gavel.lib.k8s

import rego.v1

# ---------------------------------------------------------------------------------------------
# Target version and configuration (data.gavel, with defaults for running without it)

default kube_version := "1.33"

kube_version := data.gavel.kube_version

default sidecar_images := []

sidecar_images := data.gavel.sidecar_images

# The target minor version (1.28 -> 28); a major version above 1 is later than every 1.x.
kube_minor := to_number(parts[1]) if {
	parts := split(kube_version, ".")
	to_number(parts[0]) == 1
}

kube_minor := 1000 if {
	parts := split(kube_version, ".")
	to_number(parts[0]) > 1
}

# ---------------------------------------------------------------------------------------------
# Workloads and their pod spec (sidecar-facts section 8)

# The API groups each kind with a pod template is served from ("" is the core group).
api_groups := {
	"Pod": {""},
	"PodTemplate": {""},
	"ReplicationController": {""},
	"Deployment": {"apps", "extensions"},
	"ReplicaSet": {"apps", "extensions"},
	"DaemonSet": {"apps", "extensions"},
	"StatefulSet": {"apps"},
	"Job": {"batch"},
	"CronJob": {"batch"},
	"Rollout": {"argoproj.io"},
}

# Where the PodSpec of each kind lives.
spec_paths := {
	"Pod": ["spec"],
	"PodTemplate": ["template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Deployment": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
	"Rollout": ["spec", "template", "spec"],
}

job_kinds := {"Job", "CronJob"}

# The kinds whose pods must run forever (template restartPolicy Always).
controller_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}

api_group(version) := parts[0] if {
	parts := split(version, "/")
	count(parts) == 2
}

api_group(version) := "" if {
	is_string(version)
	not contains(version, "/")
}

# The object's kind, when it is one that holds a pod template.
kind := input.kind if api_group(input.apiVersion) in api_groups[input.kind]

name := n if {
	n := input.metadata.name
	is_string(n)
}

default name := ""

# The pod spec: {"spec", "path", "meta", "meta_path"}; undefined for other objects and for a
# Rollout that references a Deployment (spec.workloadRef) instead of holding a template.
pod := {"spec": spec, "path": path, "meta": object_or_empty(meta), "meta_path": meta_path} if {
	path := spec_paths[kind]
	spec := object.get(input, path, null)
	is_object(spec)
	meta_path := array.concat(array.slice(path, 0, count(path) - 1), ["metadata"])
	meta := object.get(input, meta_path, {})
}

# The pod template's annotations and labels (string values only).
annotations := strings_of(object.get(pod.meta, "annotations", {}))

labels := strings_of(object.get(pod.meta, "labels", {}))

strings_of(x) := {k: v | some k, v in object_or_empty(x); is_string(v)}

# ---------------------------------------------------------------------------------------------
# Containers and roles

# Every container of the pod: {"container", "name", "field", "index", "path", "role"} where
# role is "app", "legacy_sidecar" (containers), "sidecar", "init" (initContainers) or
# "ephemeral" (ephemeralContainers).
containers contains entry if {
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := object.get(pod.spec, field, [])
	is_array(list)
	some i, c in list
	is_object(c)
	entry := {
		"container": c,
		"name": name_of(c),
		"field": field,
		"index": i,
		"path": array.concat(pod.path, [field, i]),
		"role": role(field, c),
	}
}

role("initContainers", c) := "sidecar" if native_sidecar(c)

role("initContainers", c) := "init" if not native_sidecar(c)

role("ephemeralContainers", _) := "ephemeral"

role("containers", c) := "legacy_sidecar" if legacy_sidecar(c)

role("containers", c) := "app" if not legacy_sidecar(c)

# An init container with restartPolicy Always (a restartable init container).
native_sidecar(c) if c.restartPolicy == "Always"

# A regular container that runs a known sidecar image (not a one-shot form of it), in a pod
# that also has a regular container without a known sidecar image.
legacy_sidecar(c) if {
	runs_sidecar(c)
	some other in array_or_empty(object.get(pod.spec, "containers", []))
	not sidecar_image(object.get(object_or_empty(other), "image", null))
}

# The container runs a known sidecar image as a long-running process.
runs_sidecar(c) if {
	sidecar_image(c.image)
	not one_shot(c)
}

# How messages name a container of each role.
role_labels := {
	"app": "container",
	"legacy_sidecar": "container",
	"sidecar": "native sidecar",
	"init": "init container",
	"ephemeral": "ephemeral container",
}

describe(entry) := sprintf("%s \"%s\"", [role_labels[entry.role], entry.name])

name_of(c) := c.name if is_string(c.name)

name_of(c) := "(unnamed)" if not is_string(c.name)

# ---------------------------------------------------------------------------------------------
# Images

# The repository of an image reference: without its digest and tag (a colon followed by a
# slash belongs to a registry port, not a tag).
repository(image) := regex.replace(split(image, "@")[0], `:[^/]*$`, "") if is_string(image)

# The tag, when there is one.
image_tag(image) := m[0][1] if {
	is_string(image)
	m := regex.find_all_string_submatch_n(`:([^/]*)$`, split(image, "@")[0], 1)
	count(m) == 1
}

has_digest(image) if contains(image, "@")

# An image is a known sidecar image when its repository matches an entry of
# data.gavel.sidecar_images: an entry with a slash matches the end of the repository path at a
# slash boundary, an entry without one matches its last component exactly. Both come to one
# question, asked of a set instead of each entry in turn: is one of the repository's suffixes
# that start at a slash boundary (the whole path, then after each slash) an entry?
sidecar_image(image) if {
	repo := repository(image)
	some slash in array.concat([-1], indexof_n(repo, "/"))
	substring(repo, slash + 1, -1) in sidecar_image_set
}

sidecar_image_set := {entry | some entry in sidecar_images}

# ---------------------------------------------------------------------------------------------
# Commands

# The strings of a container's command and args.
command_strings(c) := [s |
	some field in ["command", "args"]
	some s in array_or_empty(object.get(c, field, []))
	is_string(s)
]

# Their whitespace-separated words.
command_words(c) := {w |
	some s in command_strings(c)
	some w in regex.split(`\s+`, s)
	w != ""
}

# The meshes' network set-up steps, run from the proxy image but exiting when done.
one_shot_steps := ["istio-iptables", "istio-validation", "linkerd2-proxy-init", "linkerd2-network-validator"]

one_shot(c) if {
	some w in command_words(c)
	some step in one_shot_steps
	endswith(w, step)
}

# vault agent -exit-after-auth renders its secrets and exits.
one_shot(c) if {
	some w in command_words(c)
	regex.match(`^--?exit-after-auth(=(1|t|T|true|TRUE|True))?$`, w)
}

# An app container calls the shutdown hook (istio's and cloud-sql-proxy's /quitquitquit).
calls_shutdown_hook if {
	some entry in containers
	entry.role == "app"
	some s in command_strings(entry.container)
	contains(s, "quitquitquit")
}

# ---------------------------------------------------------------------------------------------
# Ports and probes

probe_fields := ["livenessProbe", "readinessProbe", "startupProbe"]

ports(c) := [p | some p in array_or_empty(object.get(c, "ports", [])); is_object(p)]

container_ports(c) := {p.containerPort | some p in ports(c); is_number(p.containerPort)}

port_names(c) := {p.name | some p in ports(c); is_string(p.name)}

# ---------------------------------------------------------------------------------------------
# Generic helpers

array_or_empty(x) := x if is_array(x)

array_or_empty(x) := [] if not is_array(x)

object_or_empty(x) := x if is_object(x)

object_or_empty(x) := {} if not is_object(x)

# A field is set when it is present and not null (the API treats null as absent).
has(obj, field) if object.get(obj, field, null) != null
