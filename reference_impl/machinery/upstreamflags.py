"""The flags of the real Kubernetes commands that the reference ones take without acting on them.

Each table is one "name type [shorthand]" a line, as the command's own --help lists the flag
(1.24: the real kube-scheduler's and kube-proxy's --help, run side by side), less the flags the
reference implements. `pflag.FlagSet.add_upstream_flags` takes them: a value upstream refuses is
refused in its words, and a flag given is named once in the log as having no effect, where an
unknown flag would stop a command line written for the real binary.
"""
from __future__ import annotations

KUBE_SCHEDULER = """
add-dir-header bool
allow-metric-labels stringToString
alsologtostderr bool
authentication-skip-lookup bool
authentication-token-webhook-cache-ttl duration
authentication-tolerate-lookup-failure bool
authorization-webhook-cache-authorized-ttl duration
authorization-webhook-cache-unauthorized-ttl duration
contention-profiling bool
disabled-metrics strings
experimental-logging-sanitization bool
feature-gates mapStringBool
http2-max-streams-per-connection int
kube-api-burst int32
kube-api-content-type string
kube-api-qps float32
leader-elect-lease-duration duration
leader-elect-renew-deadline duration
leader-elect-resource-lock string
leader-elect-resource-name string
leader-elect-resource-namespace string
leader-elect-retry-period duration
lock-object-name string
lock-object-namespace string
log-backtrace-at traceLocation
log-dir string
log-file string
log-file-max-size uint
log-flush-frequency duration
log-json-info-buffer-size quantity
log-json-split-stream bool
logging-format string
logtostderr bool
master string
one-output bool
permit-address-sharing bool
permit-port-sharing bool
profiling bool
requestheader-allowed-names strings
requestheader-client-ca-file string
requestheader-extra-headers-prefix strings
requestheader-group-headers strings
requestheader-username-headers strings
show-hidden-metrics-for-version string
skip-headers bool
skip-log-headers bool
stderrthreshold severity
tls-cipher-suites strings
tls-min-version string
tls-sni-cert-key namedCertKey
v Level v
write-config-to string
"""

KUBE_PROXY = """
add-dir-header bool
alsologtostderr bool
bind-address-hard-fail bool
boot-id-file string
cleanup bool
cluster-cidr string
config-sync-period duration
conntrack-max-per-core int32
conntrack-min int32
conntrack-tcp-timeout-close-wait duration
conntrack-tcp-timeout-established duration
detect-local-mode LocalMode
feature-gates mapStringBool
hostname-override string
iptables-masquerade-bit int32
iptables-min-sync-period duration
iptables-sync-period duration
ipvs-exclude-cidrs strings
ipvs-min-sync-period duration
ipvs-scheduler string
ipvs-strict-arp bool
ipvs-sync-period duration
ipvs-tcp-timeout duration
ipvs-tcpfin-timeout duration
ipvs-udp-timeout duration
kube-api-burst int32
kube-api-content-type string
kube-api-qps float32
log-backtrace-at traceLocation
log-dir string
log-file string
log-file-max-size uint
log-flush-frequency duration
logtostderr bool
machine-id-file string
masquerade-all bool
master string
nodeport-addresses strings
one-output bool
oom-score-adj int32
profiling bool
proxy-mode ProxyMode
show-hidden-metrics-for-version string
skip-headers bool
skip-log-headers bool
stderrthreshold severity
udp-timeout duration
v Level v
vmodule moduleSpec
write-config-to string
"""
