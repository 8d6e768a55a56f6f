package gavel.rules.sidecar_image_unpinned

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Sidecar image without a pinned version
# description: >-
#   A native or legacy sidecar's image has no tag and no digest, or the tag `latest` (a digest
#   pins the image whatever its tag). Sidecars such as meshes' proxies must match the version of
#   their control plane; an unpinned image changes whenever a node pulls it, so pods of one
#   workload can run different sidecar versions.
# custom:
#   id: sidecar-image-unpinned
#   severity: warning
#   remediation: Pin the image to a version tag or, better, a digest (`image@sha256:...`).
#   references:
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
warn contains {"msg": msg, "path": array.concat(entry.path, ["image"])} if {
	some entry in k8s.containers
	entry.role in {"sidecar", "legacy_sidecar"}
	image := entry.container.image
	is_string(image)
	image != ""
	reason := unpinned(image)
	msg := sprintf("%s uses the image %s, %s", [k8s.describe(entry), image, reason])
}

unpinned(image) := "which has no tag and no digest" if {
	not k8s.has_digest(image)
	not k8s.image_tag(image)
}

unpinned(image) := "whose tag latest changes under it" if {
	not k8s.has_digest(image)
	k8s.image_tag(image) == "latest"
}
