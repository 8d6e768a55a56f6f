package gavel.rules.linkerd_native_wait_before_exit

import data.gavel.lib.k8s
import rego.v1

# METADATA
# title: Linkerd native sidecar with proxy-wait-before-exit-seconds
# description: >-
#   A pod template enables Linkerd's native sidecar (`config.beta.linkerd.io/proxy-enable-native-sidecar`,
#   or the deprecated `config.alpha.linkerd.io` key) and also sets
#   `config.alpha.linkerd.io/proxy-wait-before-exit-seconds`. Linkerd says the wait must not be
#   used with native sidecars: a native sidecar is already stopped after the app, and the wait's
#   preStop sleep only delays the pod's shutdown, up to its grace period.
# custom:
#   id: linkerd-native-wait-before-exit
#   severity: warning
#   remediation: Remove the `config.alpha.linkerd.io/proxy-wait-before-exit-seconds` annotation.
#   references:
#     - https://linkerd.io/2/features/native-sidecars/
#     - https://linkerd.io/2/reference/proxy-configuration/
warn contains {"msg": msg, "path": array.concat(k8s.pod.meta_path, ["annotations", wait])} if {
	some key in native_keys
	lower(k8s.annotations[key]) == "true"
	k8s.has(k8s.annotations, wait)
	msg := sprintf("the pod template enables Linkerd's native sidecar (%s) and also sets %s, which must not be used with it", [key, wait])
}

native_keys := ["config.beta.linkerd.io/proxy-enable-native-sidecar", "config.alpha.linkerd.io/proxy-enable-native-sidecar"]

wait := "config.alpha.linkerd.io/proxy-wait-before-exit-seconds"
