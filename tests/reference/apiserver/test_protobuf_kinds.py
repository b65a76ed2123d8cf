"""Kubernetes protobuf bodies of every served kind: each realistic object survives encode and
decode unchanged, bodies Go's own serializer wrote decode to Go's JSON, a few bodies are checked
byte by byte against the wire format, and a body that does not fit its layout is refused with the
kind and field named."""
from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from reference_impl.apiserver.core import protobuf
from reference_impl.apiserver.core.protobuf import ProtobufError

META = {"name": "web-1", "namespace": "default", "uid": "6f1c0c6e-6d6a-4c39-9d47-4b1b8f1f2a11",
        "resourceVersion": "4711", "generation": 3, "creationTimestamp": "2024-05-01T10:00:00Z",
        "labels": {"app": "web"}, "annotations": {"deployment.kubernetes.io/revision": "2"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f",
                             "uid": "0b5b2f9c-2d1e-4b4f-8c55-3a1d2c3b4a59", "controller": True,
                             "blockOwnerDeletion": True}],
        "finalizers": ["foregroundDeletion"],
        "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                           "time": "2024-05-01T10:00:00Z", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:status": {"f:replicas": {}}}, "subresource": "status"}]}
SELECTOR = {"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]}]}
POD_SPEC = {
    "volumes": [{"name": "config", "configMap": {"name": "web-config", "defaultMode": 420,
                                                 "items": [{"key": "a", "path": "a.conf"}]}},
                {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"expirationSeconds": 3607,
                                                                                     "path": "token"}}],
                                                "defaultMode": 420}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}},
                {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}}],
    "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "true"]}],
    "containers": [{"name": "nginx", "image": "nginx:1.25", "args": ["-g", "daemon off;"],
                    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "A", "value": "1"},
                            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "status.podIP"}}}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}},
                    "volumeMounts": [{"name": "config", "mountPath": "/etc/nginx", "readOnly": True}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                                      "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 1,
                                      "successThreshold": 1, "failureThreshold": 3},
                    "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5},
                    "lifecycle": {"preStop": {"exec": {"command": ["nginx", "-s", "quit"]}}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 101,
                                        "capabilities": {"drop": ["ALL"]}}}],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
    "nodeSelector": {"kubernetes.io/os": "linux"}, "serviceAccountName": "web", "nodeName": "node-1",
    "securityContext": {"fsGroup": 101}, "schedulerName": "default-scheduler", "priority": 0,
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                     {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}},
                 "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                     {"weight": 100, "podAffinityTerm": {"labelSelector": SELECTOR,
                                                         "topologyKey": "kubernetes.io/hostname"}}]}},
    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                     "tolerationSeconds": 300}],
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                   "labelSelector": SELECTOR}],
    "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority"}
POD_STATUS = {
    "phase": "Running", "hostIP": "10.0.0.5", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
    "startTime": "2024-05-01T10:00:01Z", "qosClass": "Burstable",
    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2024-05-01T10:00:09Z"},
                   {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z"}],
    "containerStatuses": [{"name": "nginx", "ready": True, "restartCount": 0, "image": "nginx:1.25",
                           "imageID": "docker-pullable://nginx@sha256:abc", "containerID": "containerd://1f2e",
                           "started": True, "state": {"running": {"startedAt": "2024-05-01T10:00:05Z"}},
                           "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                                        "startedAt": "2024-05-01T09:00:00Z",
                                                        "finishedAt": "2024-05-01T09:59:00Z"}}}],
    "initContainerStatuses": [{"name": "init", "ready": False, "restartCount": 0, "image": "busybox:1.36",
                               "imageID": "", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": POD_SPEC}
CONDITION = {"type": "Available", "status": "True", "lastUpdateTime": "2024-05-01T10:00:10Z",
             "lastTransitionTime": "2024-05-01T10:00:10Z", "reason": "MinimumReplicasAvailable",
             "message": "Deployment has minimum availability."}


def _kind(api_version: str, kind: str, **fields) -> dict:
    return {"apiVersion": api_version, "kind": kind, "metadata": META, **fields}


OBJECTS = [
    _kind("v1", "Pod", spec=POD_SPEC, status=POD_STATUS),
    _kind("v1", "Node", spec={"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "providerID": "kubemark://n1",
                              "taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
                                          "timeAdded": "2024-05-01T10:00:00Z"}]},
          status={"capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                  "allocatable": {"cpu": "3900m", "memory": "15Gi", "pods": "110"},
                  "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2024-05-01T10:00:40Z",
                                  "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "KubeletReady",
                                  "message": "kubelet is posting ready status"}],
                  "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}, {"type": "Hostname", "address": "n1"}],
                  "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                  "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "5.15",
                               "osImage": "Ubuntu", "containerRuntimeVersion": "containerd://1.6",
                               "kubeletVersion": "v1.24.0", "kubeProxyVersion": "v1.24.0",
                               "operatingSystem": "linux", "architecture": "amd64"},
                  "images": [{"names": ["nginx@sha256:abc", "nginx:1.25"], "sizeBytes": 142000000}],
                  "volumesInUse": ["kubernetes.io/csi/x"],
                  "volumesAttached": [{"name": "kubernetes.io/csi/x", "devicePath": "/dev/sdb"}]}),
    {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web-1", "namespace": "default", "uid": "u"},
     "target": {"kind": "Node", "name": "node-1"}},
    _kind("v1", "Event", involvedObject={"kind": "Pod", "namespace": "default", "name": "web-1", "uid": "u",
                                         "apiVersion": "v1", "resourceVersion": "4711"},
          reason="Scheduled", message="Successfully assigned default/web-1 to node-1",
          source={"component": "default-scheduler"}, firstTimestamp="2024-05-01T10:00:00Z",
          lastTimestamp="2024-05-01T10:00:00Z", count=1, type="Normal",
          eventTime="2024-05-01T10:00:00.123456Z", reportingComponent="default-scheduler",
          reportingInstance="default-scheduler-n1", action="Binding"),
    _kind("v1", "Endpoints", subsets=[{"addresses": [{"ip": "10.244.1.7", "nodeName": "node-1",
                                                      "targetRef": {"kind": "Pod", "name": "web-1"}}],
                                       "notReadyAddresses": [{"ip": "10.244.1.8"}],
                                       "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}]),
    _kind("v1", "Service", spec={"ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http",
                                            "nodePort": 30080}],
                                 "selector": {"app": "web"}, "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                                 "type": "NodePort", "sessionAffinity": "None", "externalTrafficPolicy": "Cluster",
                                 "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                                 "internalTrafficPolicy": "Cluster"},
          status={"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}),
    _kind("v1", "ConfigMap", data={"a.conf": "x=1"}, binaryData={"b": base64.b64encode(b"\x00\xff").decode()},
          immutable=False),
    _kind("v1", "Secret", data={"token": base64.b64encode(b"s3cr3t").decode()}, type="Opaque"),
    _kind("v1", "ServiceAccount", secrets=[{"name": "web-token"}], imagePullSecrets=[{"name": "registry"}],
          automountServiceAccountToken=False),
    _kind("v1", "Namespace", spec={"finalizers": ["kubernetes"]}, status={"phase": "Active"}),
    _kind("v1", "PersistentVolume", spec={"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                                          "csi": {"driver": "csi.example.com", "volumeHandle": "vol-1",
                                                  "fsType": "ext4", "volumeAttributes": {"a": "b"}},
                                          "claimRef": {"kind": "PersistentVolumeClaim", "name": "data-web-0"},
                                          "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard",
                                          "volumeMode": "Filesystem",
                                          "nodeAffinity": {"required": {"nodeSelectorTerms": [
                                              {"matchExpressions": [{"key": "zone", "operator": "In",
                                                                     "values": ["a"]}]}]}}},
          status={"phase": "Bound"}),
    _kind("v1", "PersistentVolumeClaim", spec={"accessModes": ["ReadWriteOnce"], "selector": SELECTOR,
                                               "resources": {"requests": {"storage": "10Gi"}},
                                               "volumeName": "pv-1", "storageClassName": "standard",
                                               "volumeMode": "Filesystem"},
          status={"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}),
    _kind("v1", "ReplicationController", spec={"replicas": 2, "selector": {"app": "web"},
                                               "template": TEMPLATE},
          status={"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                  "observedGeneration": 3}),
    _kind("v1", "ResourceQuota", spec={"hard": {"pods": "10", "requests.cpu": "4"}, "scopes": ["NotTerminating"]},
          status={"hard": {"pods": "10"}, "used": {"pods": "3"}}),
    _kind("apps/v1", "Deployment",
          spec={"replicas": 3, "selector": SELECTOR, "template": TEMPLATE,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
                "minReadySeconds": 5, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
          status={"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                  "availableReplicas": 3, "conditions": [CONDITION],
                  "collisionCount": 1}),
    _kind("apps/v1", "ReplicaSet", spec={"replicas": 3, "selector": SELECTOR,
                                         "template": TEMPLATE},
          status={"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                  "observedGeneration": 3}),
    _kind("apps/v1", "DaemonSet", spec={"selector": SELECTOR, "template": TEMPLATE,
                                        "updateStrategy": {"type": "RollingUpdate",
                                                           "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                                        "revisionHistoryLimit": 10},
          status={"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3,
                  "numberReady": 3, "observedGeneration": 3, "updatedNumberScheduled": 3, "numberAvailable": 3}),
    _kind("apps/v1", "StatefulSet", spec={"replicas": 2, "selector": SELECTOR, "template": TEMPLATE,
                                          "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                                                    "spec": {"accessModes": ["ReadWriteOnce"],
                                                                             "resources": {"requests": {
                                                                                 "storage": "1Gi"}}}}],
                                          "serviceName": "web", "podManagementPolicy": "OrderedReady",
                                          "updateStrategy": {"type": "RollingUpdate",
                                                             "rollingUpdate": {"partition": 0}},
                                          "revisionHistoryLimit": 10,
                                          "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                                                   "whenScaled": "Retain"}},
          status={"observedGeneration": 3, "replicas": 2, "readyReplicas": 2, "currentReplicas": 2,
                  "updatedReplicas": 2, "currentRevision": "web-7c9", "updateRevision": "web-7c9",
                  "collisionCount": 0, "availableReplicas": 2}),
    _kind("apps/v1", "ControllerRevision", data={"spec": {"template": {"$patch": "replace"}}}, revision=2),
    _kind("batch/v1", "Job", spec={"parallelism": 2, "completions": 4, "backoffLimit": 6, "selector": SELECTOR,
                                   "manualSelector": False, "template": TEMPLATE, "completionMode": "NonIndexed",
                                   "suspend": False, "ttlSecondsAfterFinished": 100},
          status={"conditions": [{"type": "Complete", "status": "True", "lastProbeTime": "2024-05-01T10:01:00Z",
                                  "lastTransitionTime": "2024-05-01T10:01:00Z"}],
                  "startTime": "2024-05-01T10:00:00Z", "completionTime": "2024-05-01T10:01:00Z",
                  "succeeded": 4, "failed": 1,
                  "uncountedTerminatedPods": {"succeeded": ["u1"]}, "ready": 0}),
    _kind("batch/v1", "CronJob", spec={"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid", "suspend": False,
                                       "jobTemplate": {"metadata": {"labels": {"app": "web"}},
                                                       "spec": {"template": TEMPLATE}},
                                       "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
          status={"active": [{"kind": "Job", "name": "web-2840"}], "lastScheduleTime": "2024-05-01T10:00:00Z",
                  "lastSuccessfulTime": "2024-05-01T09:55:00Z"}),
    _kind("coordination.k8s.io/v1", "Lease",
          spec={"holderIdentity": "n1", "leaseDurationSeconds": 40, "acquireTime": "2024-05-01T10:00:00.000000Z",
                "renewTime": "2024-05-01T10:00:30.250000Z", "leaseTransitions": 2}),
    _kind("discovery.k8s.io/v1", "EndpointSlice", addressType="IPv4",
          endpoints=[{"addresses": ["10.244.1.7"], "conditions": {"ready": True, "serving": True,
                                                                  "terminating": False},
                      "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-1"},
                      "nodeName": "node-1", "zone": "a", "hints": {"forZones": [{"name": "a"}]}}],
          ports=[{"name": "http", "protocol": "TCP", "port": 80, "appProtocol": "http"}]),
    _kind("events.k8s.io/v1", "Event", eventTime="2024-05-01T10:00:00.123456Z",
          series={"count": 2, "lastObservedTime": "2024-05-01T10:05:00.000001Z"},
          reportingController="default-scheduler", reportingInstance="default-scheduler-n1", action="Binding",
          reason="Scheduled", regarding={"kind": "Pod", "name": "web-1"}, note="assigned", type="Normal",
          deprecatedCount=1),
    _kind("storage.k8s.io/v1", "CSINode", spec={"drivers": [{"name": "csi.example.com", "nodeID": "n1",
                                                             "topologyKeys": ["zone"],
                                                             "allocatable": {"count": 16}}]}),
    _kind("storage.k8s.io/v1", "CSIDriver", spec={"attachRequired": True, "podInfoOnMount": False,
                                                  "volumeLifecycleModes": ["Persistent"], "fsGroupPolicy": "File",
                                                  "tokenRequests": [{"audience": "x", "expirationSeconds": 600}]}),
    _kind("storage.k8s.io/v1", "StorageClass", provisioner="csi.example.com", parameters={"type": "ssd"},
          reclaimPolicy="Delete", allowVolumeExpansion=True, volumeBindingMode="WaitForFirstConsumer",
          mountOptions=["noatime"],
          allowedTopologies=[{"matchLabelExpressions": [{"key": "zone", "values": ["a"]}]}]),
    _kind("storage.k8s.io/v1beta1", "CSIStorageCapacity", nodeTopology={"matchLabels": {"zone": "a"}},
          storageClassName="standard", capacity="100Gi", maximumVolumeSize="10Gi"),
    _kind("storage.k8s.io/v1", "VolumeAttachment",
          spec={"attacher": "csi.example.com", "source": {"persistentVolumeName": "pv-1"}, "nodeName": "node-1"},
          status={"attached": True, "attachmentMetadata": {"devicePath": "/dev/sdb"},
                  "detachError": {"time": "2024-05-01T10:00:00Z", "message": "busy"}}),
    _kind("policy/v1", "PodDisruptionBudget", spec={"minAvailable": 2, "selector": SELECTOR},
          status={"observedGeneration": 3, "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2,
                  "expectedPods": 3, "disruptedPods": {"web-1": "2024-05-01T10:00:00Z"},
                  "conditions": [{"type": "DisruptionAllowed", "status": "True", "observedGeneration": 3,
                                  "lastTransitionTime": "2024-05-01T10:00:00Z", "reason": "SufficientPods",
                                  "message": ""}]}),
    _kind("networking.k8s.io/v1", "Ingress",
          spec={"ingressClassName": "nginx", "tls": [{"hosts": ["foo.com"], "secretName": "foo-tls"}],
                "defaultBackend": {"resource": {"apiGroup": "k8s.example.com", "kind": "Bucket", "name": "b"}},
                "rules": [{"host": "foo.com", "http": {"paths": [
                    {"path": "/", "pathType": "Prefix",
                     "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                    {"path": "/api", "pathType": "Exact",
                     "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}}]},
          status={"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}, {"hostname": "lb.example.com"}]}}),
    _kind("networking.k8s.io/v1", "IngressClass",
          spec={"controller": "k8s.io/ingress-nginx",
                "parameters": {"apiGroup": "k8s.example.com", "kind": "Config", "name": "c", "scope": "Namespace",
                               "namespace": "ingress"}}),
    _kind("networking.k8s.io/v1", "NetworkPolicy",
          spec={"podSelector": SELECTOR, "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": SELECTOR, "namespaceSelector": SELECTOR}],
                             "ports": [{"protocol": "TCP", "port": "http"}]}],
                "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                            "ports": [{"protocol": "UDP", "port": 53, "endPort": 60}]}]}),
    _kind("autoscaling/v2", "HorizontalPodAutoscaler",
          spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1,
                "maxReplicas": 5,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                 "type": "Utilization", "averageUtilization": 50}}},
                            {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": SELECTOR},
                                                      "target": {"type": "AverageValue", "averageValue": "10"}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                                           "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}},
          status={"observedGeneration": 2, "lastScaleTime": "2024-05-01T10:00:00Z", "currentReplicas": 2,
                  "desiredReplicas": 3,
                  "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {
                      "averageUtilization": 70, "averageValue": "350m"}}}],
                  "conditions": [{"type": "AbleToScale", "status": "True", "reason": "SucceededRescale",
                                  "lastTransitionTime": "2024-05-01T10:00:00Z"}]}),
    _kind("autoscaling/v1", "HorizontalPodAutoscaler",
          spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1,
                "maxReplicas": 5, "targetCPUUtilizationPercentage": 50},
          status={"observedGeneration": 2, "currentReplicas": 2, "desiredReplicas": 3,
                  "currentCPUUtilizationPercentage": 70}),
    _kind("certificates.k8s.io/v1", "CertificateSigningRequest",
          spec={"request": base64.b64encode(b"-----BEGIN CERTIFICATE REQUEST-----").decode(),
                "signerName": "kubernetes.io/kube-apiserver-client-kubelet", "expirationSeconds": 86400,
                "usages": ["digital signature", "client auth"], "username": "system:node:n1",
                "groups": ["system:nodes"], "extra": {"scopes": ["a", "b"]}},
          status={"conditions": [{"type": "Approved", "status": "True", "reason": "AutoApproved",
                                  "lastUpdateTime": "2024-05-01T10:00:00Z"}],
                  "certificate": base64.b64encode(b"cert").decode()}),
    _kind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
          subjects=[{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "system:kube-scheduler"}],
          roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:kube-scheduler"}),
    _kind("rbac.authorization.k8s.io/v1", "ClusterRole",
          rules=[{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}],
          aggregationRule={"clusterRoleSelectors": [{"matchLabels": {"aggregate": "true"}}]}),
    {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
     "spec": {"resourceAttributes": {"namespace": "default", "verb": "list", "resource": "pods"}},
     "status": {"allowed": False}},
    {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
     "spec": {"resourceAttributes": {"verb": "get", "resource": "nodes", "subresource": "proxy"},
              "user": "system:kube-controller-manager", "groups": ["system:authenticated"],
              "extra": {"scopes": ["x"]}}, "status": {"allowed": False}},
    {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0, "propagationPolicy": "Background",
     "preconditions": {"uid": "u", "resourceVersion": "4711"}, "dryRun": ["All"]},
    {"apiVersion": "meta.k8s.io/v1", "kind": "ListOptions", "labelSelector": "app=web", "watch": True,
     "resourceVersion": "4711", "timeoutSeconds": 300, "limit": 500, "allowWatchBookmarks": True},
    {"apiVersion": "v1", "kind": "Status", "metadata": {"resourceVersion": "1"}, "status": "Failure",
     "message": 'pods "x" not found', "reason": "NotFound", "details": {"name": "x", "kind": "pods"}, "code": 404},
    {"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "4711", "continue": "c"},
     "items": [{"metadata": META, "spec": {"selector": SELECTOR, "template": TEMPLATE}}]},
]


GO_SERIALIZER = Path(__file__).resolve().parents[2] / "fixtures" / "protobuf" / "go_serializer.jsonl"


def _without_null(value):
    """Go's JSON without its nulls (zero times, nil lists), which decoding leaves out."""
    if isinstance(value, dict):
        return {k: _without_null(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_null(v) for v in value]
    return value


def _id(obj: dict) -> str:
    return f"{obj['apiVersion']}/{obj['kind']}"


@pytest.mark.parametrize("obj", OBJECTS, ids=_id)
def test_every_kind_round_trips_through_protobuf(obj):
    """A realistic object of each served kind, encoded and decoded, is the same JSON (nothing the
    components send is lost)."""
    assert protobuf.decode(protobuf.encode(obj)) == obj


def _recorded() -> list[dict]:
    return [json.loads(line) for line in GO_SERIALIZER.read_text().splitlines()]


@pytest.mark.parametrize("recorded", _recorded(), ids=lambda r: _id(r["json"]))
def test_bodies_the_go_serializer_wrote_decode_to_its_json(recorded):
    """Bodies written by the 1.24 tree's own protobuf serializer (client-go's scheme, from OBJECTS;
    gogo writes every non-pointer field, zeros included) decode to exactly the JSON Go writes for
    the same object, nulls aside."""
    assert protobuf.decode(base64.b64decode(recorded["protobuf"])) == _without_null(recorded["json"])


def test_a_configmap_is_encoded_byte_by_byte_as_gogo_writes_it():
    """Magic, runtime.Unknown{typeMeta, raw, contentEncoding, contentType}, and the ConfigMap's
    fields in number order: metadata (1) then data (2) as map entries {1: key, 2: value}."""
    body = protobuf.encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"},
                            "data": {"k": "v"}})
    type_meta = b"\x0a\x02v1" + b"\x12\x09ConfigMap"
    raw = b"\x0a\x04" + b"\x0a\x02cm" + b"\x12\x06" + b"\x0a\x01k" + b"\x12\x01v"
    assert body == b"k8s\x00" + b"\x0a\x0f" + type_meta + b"\x12\x0e" + raw + b"\x1a\x00" + b"\x22\x00"


def test_special_types_are_written_as_their_apimachinery_messages():
    """IntOrString is {type, intVal, strVal} with all three written; Time is {seconds, nanos} with
    whole seconds; a negative int32 is a ten-byte varint; a Quantity is its string."""
    spec = protobuf.encode_message("apps.RollingUpdateDeployment", {"maxUnavailable": 1, "maxSurge": "25%"})
    assert spec == b"\x0a\x06" + b"\x08\x00\x10\x01\x1a\x00" + b"\x12\x09" + b"\x08\x01\x10\x00\x1a\x0325%"
    assert protobuf.encode_message("meta.ObjectMeta", {"creationTimestamp": "2023-11-14T22:13:20Z"}) == \
        b"\x42\x08" + b"\x08\x80\xe2\xcf\xaa\x06\x10\x00"
    assert protobuf.encode_message("core.ContainerPort", {"containerPort": -1}) == b"\x18" + b"\xff" * 9 + b"\x01"
    assert protobuf.decode_message("core.ResourceRequirements", b"\x12\x0d\x0a\x03cpu\x12\x06\x0a\x04100m") == \
        {"requests": {"cpu": "100m"}}


def test_a_priority_class_decodes_without_its_omitempty_zero_fields():
    """gogo writes PriorityClass's globalDefault and description even when zero; both are
    `omitempty` in Go, so their zeros are absent from the JSON, while value (not omitempty) stays."""
    raw = b"\x10\x00" + b"\x18\x00" + b"\x22\x00"  # value 0, globalDefault false, description ""
    assert protobuf.decode_message("scheduling.PriorityClass", raw) == {"value": 0}


@pytest.mark.parametrize("type_,number,text", [
    ("core.Event", 10, "0001-01-01T00:00:00.000000Z"), ("core.Event", 7, "0001-01-01T00:00:00Z"),
    ("core.Event", 7, "0000-12-31T23:00:00-01:00"),
])
def test_a_stored_zero_instant_is_written_as_an_empty_message(type_, number, text):
    """metav1.Time and MicroTime Marshal write nothing for a time that IsZero, so a stored zero
    instant (an Event's eventTime a protobuf body set to year 1) goes out as `52 00`, not as
    seconds -62135596800 (kube-apiserver 1.24)."""
    field = protobuf.put(number, 2, b"")
    assert field in protobuf.encode_message(type_, {"eventTime" if number == 10 else "lastTimestamp": text})


def test_micro_time_keeps_microseconds():
    """A MicroTime (Lease renewTime, Event eventTime) keeps its microseconds; a Time does not."""
    lease = {"renewTime": "2024-05-01T10:00:30.250000Z", "acquireTime": "2024-05-01T10:00:00.000001Z"}
    assert protobuf.decode_message("coordination.LeaseSpec", protobuf.encode_message("coordination.LeaseSpec", lease)) \
        == lease


def test_every_layout_names_only_known_types():
    """Every type a layout refers to is a scalar, a special apimachinery type or a layout."""
    for name, layout in protobuf.MESSAGES.items():
        for field in layout.values():
            assert field.type in protobuf.SCALARS | protobuf.SPECIAL | set(protobuf.MESSAGES), (name, field)


def test_packed_repeated_varints_decode():
    """A repeated int field may arrive packed (wire type 2) or one varint per item."""
    assert protobuf.decode_message("core.Capabilities", b"") == {}
    packed = b"\x0a\x03\x01\x02\x03"  # field 1 of a message whose field 1 is []int64
    layout = {1: protobuf.Field("values", "int64", "repeated")}
    protobuf.MESSAGES["test.Packed"] = layout
    try:
        assert protobuf.decode_message("test.Packed", packed + b"\x08\x04") == {"values": [1, 2, 3, 4]}
    finally:
        del protobuf.MESSAGES["test.Packed"]


# --- refused bodies ---

def _body(api_version: str, kind: str, raw: bytes) -> bytes:
    """A hand-built envelope (every length below 128, so one byte each) around `raw`."""
    def field(key: bytes, value: bytes) -> bytes:
        return key + bytes([len(value)]) + value
    type_meta = field(b"\x0a", api_version.encode()) + field(b"\x12", kind.encode())
    return b"k8s\x00" + field(b"\x0a", type_meta) + field(b"\x12", raw)


@pytest.mark.parametrize("body,message", [
    (_body("apps/v1", "Frobnicator", b""), "no protobuf layout for apps/v1 Frobnicator"),
    (_body("apps/v1", "Deployment", b"\x12\x01\x08"), "unexpected EOF"),
    (_body("apps/v1", "Deployment", b"\x12\x02\x08\x80"), "unexpected EOF"),
    (_body("apps/v1", "Deployment", b"\x12\x03\x0a\x01x"), "proto: wrong wireType = 2 for field Replicas"),
    (_body("apps/v1", "Deployment", b"\x12\x03\x0b\x00\x00"), "proto: wrong wireType = 3 for field Replicas"),
    (_body("v1", "Node", b"\x1a\x02\x08\x01"), "proto: wrong wireType = 0 for field Capacity"),
    (_body("v1", "Node", b"\x12\x02\x18\x01"), "proto: wrong wireType = 0 for field ProviderID"),
    (_body("v1", "ConfigMap", b"\x0a\x02\x28\x01"), "proto: wrong wireType = 0 for field UID"),
    (_body("v1", "ConfigMap", b"\x0a\x02\x3a\x00"), "proto: wrong wireType = 2 for field Generation"),
    (_body("v1", "ConfigMap", b"\x0d\x00\x00\x00\x00"), "proto: wrong wireType = 5 for field ObjectMeta"),
    (_body("v1", "Pod", b"\x12\x05\x12\x07abc"), "unexpected EOF"),
    (_body("v1", "ConfigMap", b"\x12\x02\x08\x01"), "unexpected EOF"),
    (_body("v1", "ConfigMap", b"\x00"), "proto: ConfigMap: illegal tag 0 (wire type 0)"),
    (_body("v1", "ConfigMap", b"\x0a\x01\x02"), "proto: ObjectMeta: illegal tag 0 (wire type 2)"),
    (_body("v1", "ConfigMap", b"\x0c"), "proto: ConfigMap: wiretype end group for non-group"),
    (_body("v1", "ConfigMap", b"\x9e\x06"), "proto: illegal wireType 6"),
    (_body("v1", "ConfigMap", b"\x9b\x06\x9c\x06\x9c\x06"), "proto: ConfigMap: wiretype end group for non-group"),
    (_body("v1", "ConfigMap", b"\x12\x04\x9c\x06\x0a\x00"), "proto: unexpected end of group"),
    (_body("v1", "ConfigMap", b"\x9b\x06" * 3 + b"\x9c\x06" * 2), "unexpected EOF"),
    (_body("v1", "ConfigMap", b"\x12" + b"\xff" * 9 + b"\x01"), "proto: negative length found during unmarshaling"),
    (_body("v1", "ConfigMap", b"\x12" + b"\xff" * 8 + b"\x7f"), "proto: negative length found during unmarshaling"),
    (_body("v1", "ConfigMap", b"\x12" + b"\xff" * 7 + b"\x7f"), "unexpected EOF"),
    (_body("v1", "ConfigMap", b"\x12" + b"\x80" * 10 + b"\x01"), "proto: integer overflow"),
    (_body("v1", "Pod", b"\x12\x0d\x12\x0b\x42\x09\x0a\x07\x0a\x01c\x12\x02\x0a\x00"),
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    (_body("v1", "Pod", b"\x12\x11\x12\x0f\x42\x0d\x0a\x0b\x0a\x01c\x12\x06\x0a\x041Ki "),  # JSON would trim it
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
])
def test_an_undecodable_object_is_refused_in_gogos_words(body, message):
    """The object in the envelope is read as its generated Unmarshal reads it, and refused in its
    words, naming the Go field and no path (checked against kube-apiserver 1.24); the error says
    which kind and version the envelope gave, for the handler's message."""
    with pytest.raises(protobuf.ObjectError) as refused:
        protobuf.decode(body)
    assert str(refused.value) == message
    assert refused.value.kind.encode() in body[:30]


@pytest.mark.parametrize("raw,decoded", [
    (b"\x0a\x03\x0a\x01a\xf8\x06\x01", {"metadata": {"name": "a"}}),  # an unknown field
    (b"\x0a\x03\x0a\x01a" + b"\x9b\x06" * 10000 + b"\x9c\x06" * 10000, {"metadata": {"name": "a"}}),
    (b"\x0a\x06\x0a\x01a\x98\x06\x01\x12\x03\x0a\x01k", {"metadata": {"name": "a"}, "data": {"k": ""}}),
    (b"\x12\x06\x0a\x01k\x12\x01v\x12\x06\x0a\x01k\x12\x01w", {"data": {"k": "w"}}),  # the last value wins
    (b"\x12\x03\x12\x01v", {"data": {"": "v"}}),
    (b"\x0a\x03\x0a\x01a\x0a\x03\x1a\x01n", {"metadata": {"name": "a", "namespace": "n"}}),  # merged
    (b"\x20\x02", {"immutable": True}),
    (b"\x12\x08\x0a\x01k\x12\x03\xff\xe2\x82", {"data": {"k": "\udcff\udce2\udc82"}}),  # kept byte by byte
])
def test_a_config_map_reads_as_gogo_reads_it(raw, decoded):
    """What the generated code takes without a word: unknown fields (groups nested 10,000 deep
    too), a map entry read by number alone, a key given twice, a message given twice (merged), a
    bool of any nonzero varint, strings that are no UTF-8."""
    body = protobuf.MAGIC + protobuf.put(1, 2, b"\x0a\x02v1\x12\x09ConfigMap") + protobuf.put(2, 2, raw)
    assert protobuf.decode(body) == {"apiVersion": "v1", "kind": "ConfigMap", **decoded}


def test_varints_are_cut_to_their_fields_width():
    """An int32 keeps the low 32 bits of its varint (2^32 + 40 is 40, 2^31 is negative); a
    repeated int64 comes packed or one by one, as the generated code reads both."""
    spec = b"\x10" + protobuf.encode_varint(2**32 + 40) + b"\x28" + protobuf.encode_varint(2**31)
    lease = protobuf.decode(_body("coordination.k8s.io/v1", "Lease", b"\x12" + bytes([len(spec)]) + spec))
    assert lease["spec"] == {"leaseDurationSeconds": 40, "leaseTransitions": -(2**31)}
    groups = b"\x22\x02\x01\x02\x20\x03"  # supplementalGroups [1, 2] packed, then 3
    pod = protobuf.decode(_body("v1", "Pod", protobuf.put(2, 2, protobuf.put(14, 2, groups))))
    assert pod["spec"]["securityContext"]["supplementalGroups"] == [1, 2, 3]


@pytest.mark.parametrize("seconds,nanos,micro,text", [
    (-62135596800, 0, False, None),  # Go's zero time
    (-62135596801, 0, False, "0000-12-31T23:59:59Z"),
    (253402300800, 0, False, "10000-01-01T00:00:00Z"),
    (2**63 - 1, 0, False, "292277026596-12-04T15:30:07Z"),
    (0, 5, True, "1970-01-01T00:00:00.000000Z"),
    (1, 10**9 + 5000, True, "1970-01-01T00:00:02.000005Z"),
    (0, -1, True, "1969-12-31T23:59:59.999999Z"),
])
def test_times_are_written_as_go_writes_any_time(seconds, nanos, micro, text):
    """A protobuf Timestamp is time.Unix(seconds, nanos), written as Format writes it: any year,
    Go's zero time null."""
    assert protobuf.go_utc_text(seconds, nanos, micro) == text


@pytest.mark.parametrize("body,message", [
    (b"k8s\x00", "empty body"),
    (b"k8s\x00\xff\xff\xff", "unexpected EOF"),
    (b"k8s\x00\x0a\xff\x01", "unexpected EOF"),
    (b"k8s\x00\x0a\x0c\x0a\x02v1", "unexpected EOF"),
    (_body("v1", "Pod", b"\x0a\x00")[:-1], "unexpected EOF"),
    (b"k8s\x00\x00\x00", "proto: Unknown: illegal tag 0 (wire type 0)"),
    (b"k8s\x00\x0c", "proto: Unknown: wiretype end group for non-group"),
    (b"k8s\x00\x08\x01", "proto: wrong wireType = 0 for field TypeMeta"),
    (b"k8s\x00\x15\x00\x00\x00\x00", "proto: wrong wireType = 5 for field Raw"),
    (b"k8s\x00" + b"\xff" * 10 + b"\x01", "proto: integer overflow"),
])
def test_an_envelope_cut_short_is_refused_in_gogos_words(body, message):
    """The runtime.Unknown envelope is checked as its generated Unmarshal checks it, so a body cut
    short says `unexpected EOF` and the magic alone `empty body`, as kube-apiserver 1.24 answers."""
    with pytest.raises(ProtobufError) as refused:
        protobuf.decode(body)
    assert str(refused.value) == message


def test_an_unencodable_object_names_the_field():
    """Encoding refuses a key the layout does not have, or a value of the wrong JSON type, rather
    than leaving it out."""
    with pytest.raises(ProtobufError, match=r"Deployment\.spec: no protobuf field for replica in apps\.DeploymentSpec"):
        protobuf.encode({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replica": 3}})
    with pytest.raises(ProtobufError, match=r"Deployment\.spec\.replicas: '3' is not an integer"):
        protobuf.encode({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "3"}})


# --- through the handler chain ---

from tests.reference.apiserver import test_handlers  # noqa: E402
from tests.reference.apiserver.test_handlers import DEPLOYMENT, POD, call, ns_path  # noqa: E402

# The fixtures, shared (bound here, not imported, so that the tests' parameters shadow no import).
chain, etcd, registry = test_handlers.chain, test_handlers.etcd, test_handlers.registry

PROTOBUF = protobuf.MEDIA_TYPE


def _put_status(chain, path: str, current: dict, status: dict | None) -> tuple[int, dict]:
    sent = {k: v for k, v in current.items() if k != "status"}
    if status is not None:
        sent["status"] = status
    return call(chain, "PUT", path + "/status", protobuf.encode(sent), content_type=PROTOBUF)


@pytest.mark.parametrize("plural,group,body,status", [
    ("deployments", "apps/v1", DEPLOYMENT,
     {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
      "conditions": [CONDITION]}),
    ("replicasets", "apps/v1", {**DEPLOYMENT, "kind": "ReplicaSet"},
     {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1}),
    ("nodes", "", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "pb-status-node"}},
     {"capacity": {"cpu": "4", "pods": "110"}, "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}],
      "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2023-11-14T22:13:20Z",
                      "lastTransitionTime": "2023-11-14T22:13:20Z", "reason": "KubeletReady"}],
      "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}),
])
def test_a_protobuf_status_update_stores_the_status_it_sent(chain, plural, group, body, status):
    """PUT …/status in protobuf stores the decoded status (it used to store null, and every later
    list of the kind answered 500)."""
    collection = f"/api/v1/{plural}" if plural == "nodes" else ns_path(chain, plural, group=group)
    code, created = call(chain, "POST", collection, body)
    assert code == 201, created
    path = f"{collection}/{created['metadata']['name']}"
    code, updated = _put_status(chain, path, created, status)
    assert code == 200, updated
    code, stored = call(chain, "GET", path)
    assert {k: stored["status"].get(k) for k in status} == status
    assert call(chain, "GET", collection)[0] == 200


def test_a_status_update_without_status_stores_an_empty_status(chain):
    """A status body with no status (Go's zero-valued struct) stores `status: {}`, never null."""
    code, created = call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", created["metadata"]["name"], group="apps/v1")
    code, updated = _put_status(chain, path, created, None)
    assert code == 200 and updated["status"] == {}
    assert call(chain, "GET", ns_path(chain, "deployments", group="apps/v1"))[0] == 200


@pytest.mark.parametrize("plural,group,obj", [
    ("replicasets", "apps/v1", {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-5d8f"},
                                "spec": DEPLOYMENT["spec"]}),
    ("events", "", {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.17a"},
                    "involvedObject": {"kind": "Pod", "name": "web", "apiVersion": "v1"}, "reason": "Scheduled",
                    "message": "assigned", "source": {"component": "default-scheduler"}, "type": "Normal",
                    "firstTimestamp": "2023-11-14T22:13:20Z", "lastTimestamp": "2023-11-14T22:13:20Z", "count": 1}),
    ("nodes", "", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "pb-node", "labels": {"a": "b"}},
                   "spec": {"podCIDR": "10.244.1.0/24"}}),
])
def test_the_components_protobuf_creates_are_stored(chain, plural, group, obj):
    """The creates the 1.24 components send in protobuf (controller-manager ReplicaSets, recorded
    Events, kubelet node registration) are stored as their JSON would be (they were refused with
    `no protobuf layout`)."""
    if plural == "events":  # legacyValidateEvent: an event is in its object's namespace
        obj = {**obj, "involvedObject": {**obj["involvedObject"], "namespace": chain.namespace}}
    collection = "/api/v1/nodes" if plural == "nodes" else ns_path(chain, plural, group=group)
    code, created = call(chain, "POST", collection, protobuf.encode(obj), content_type=PROTOBUF)
    assert code == 201, created
    code, stored = call(chain, "GET", f"{collection}/{obj['metadata']['name']}")
    for key in ("spec", "involvedObject", "source", "reason", "count", "firstTimestamp"):
        if key in obj:  # the pod template is compared apart: defaulting fills it in
            sent, value = obj[key], stored[key]
            assert ({k: value.get(k) for k in sent if k != "template"} if isinstance(value, dict) else value) == \
                ({k: v for k, v in sent.items() if k != "template"} if isinstance(sent, dict) else sent), key
    if "template" in obj.get("spec", {}):
        assert stored["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]


def test_a_protobuf_binding_binds_the_pod(chain):
    """kube-scheduler's protobuf Binding sets the pod's nodeName."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web", "namespace": chain.namespace},
               "target": {"kind": "Node", "name": "node-1"}}
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", protobuf.encode(binding),
                        content_type=PROTOBUF)
    assert code == 201, status
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]["nodeName"] == "node-1"


def test_an_undecodable_protobuf_body_is_400_and_stores_nothing(chain):
    """A body whose field has the wrong wire type is refused with a Status naming kind and field,
    and no object is created."""
    body = _body("apps/v1", "Deployment", b"\x0a\x04\x0a\x02pb" + b"\x12\x03\x0a\x01x")
    code, status = call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), body, content_type=PROTOBUF)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: '
                                 'proto: wrong wireType = 2 for field Replicas')
    assert call(chain, "GET", ns_path(chain, "deployments", "pb", group="apps/v1"))[0] == 404


def test_an_unknown_content_type_is_415(chain):
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), b"x", content_type="application/x-frob")
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")


# --- responses ---

COMPONENTS_ACCEPT = f"{PROTOBUF}, application/json"


def test_the_components_accept_header_gets_protobuf(chain):
    """`Accept: application/vnd.kubernetes.protobuf, application/json`, what client-go sends, gets
    its first clause: the object, the list, a watch and an error in protobuf, as kube-apiserver
    1.24 answers them (this server used to pick JSON whenever a client took it)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, body = call(chain, "GET", ns_path(chain, "deployments", "web", group="apps/v1"), accept=COMPONENTS_ACCEPT)
    assert code == 200 and protobuf.decode(body)["metadata"]["name"] == "web"
    code, body = call(chain, "GET", ns_path(chain, "deployments", group="apps/v1"), accept=COMPONENTS_ACCEPT)
    assert protobuf.decode(body)["kind"] == "DeploymentList"
    code, response = call(chain, "GET", ns_path(chain, "deployments", group="apps/v1"), accept=COMPONENTS_ACCEPT,
                          query={"watch": "1", "timeoutSeconds": "0"})
    assert response.content_type == PROTOBUF + ";stream=watch"
    response.stop()
    code, body = call(chain, "GET", ns_path(chain, "deployments", "absent", group="apps/v1"), accept=COMPONENTS_ACCEPT)
    assert (code, protobuf.decode(body)["reason"]) == (404, "NotFound")
    assert call(chain, "GET", ns_path(chain, "deployments", "web", group="apps/v1"),
                accept=f"application/json, {PROTOBUF}")[1]["metadata"]["name"] == "web"


def test_an_object_protobuf_cannot_carry_goes_as_json_to_a_client_that_takes_json(chain, monkeypatch):
    """Where our layouts lack a field (upstream's never do), a client that takes JSON after protobuf
    gets the object in JSON, which client-go decodes by the Content-Type, not a 406."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "odd-json"}, "data": {"k": "v"}})
    layout = {number: field for number, field in protobuf.MESSAGES["core.ConfigMap"].items() if field.name != "data"}
    monkeypatch.setitem(protobuf.MESSAGES, "core.ConfigMap", layout)
    code, body = call(chain, "GET", ns_path(chain, "configmaps", "odd-json"), accept=COMPONENTS_ACCEPT)
    assert (code, body["data"]) == (200, {"k": "v"})


def test_a_protobuf_only_client_gets_protobuf(chain):
    """A client that accepts only protobuf gets the object and the list in protobuf, and they decode
    to what a JSON client gets, nulls aside (the template's zero creationTimestamp)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", group="apps/v1")
    code, body = call(chain, "GET", path, accept=PROTOBUF)
    assert code == 200 and body.startswith(protobuf.MAGIC)
    assert protobuf.decode(body) == _without_null(call(chain, "GET", path)[1])
    code, body = call(chain, "GET", ns_path(chain, "deployments", group="apps/v1"), accept=PROTOBUF)
    listed = protobuf.decode(body)
    assert (listed["kind"], [item["metadata"]["name"] for item in listed["items"]]) == ("DeploymentList", ["web"])


def test_a_protobuf_watch_streams_length_prefixed_watch_events(chain):
    """Each event of a protobuf watch is a 4-byte length and a WatchEvent whose object is a whole
    protobuf body."""
    collection = ns_path(chain, "configmaps")
    rv = call(chain, "GET", collection)[1]["metadata"]["resourceVersion"]
    code, response = call(chain, "GET", collection, accept=PROTOBUF, query={"watch": "1", "resourceVersion": rv})
    assert response.content_type == PROTOBUF + ";stream=watch"
    call(chain, "POST", collection, {"metadata": {"name": "watched"}, "data": {"k": "v"}})
    frame = next(response.chunks)
    response.stop()
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    event = {number: value for number, _, value in protobuf.fields(frame[4:], "WatchEvent")}
    raw = {number: value for number, _, value in protobuf.fields(event[2], "WatchEvent.object")}[1]
    obj = protobuf.decode(raw)
    assert (event[1], obj["kind"], obj["metadata"]["name"]) == (b"ADDED", "ConfigMap", "watched")
    assert obj["data"] == {"k": "v"}


def test_a_protobuf_watch_event_is_encoded_once_for_every_watcher(chain, monkeypatch):
    """Two protobuf watchers of one resource (the real scheduler's and kubelet's pod watches) get
    the same frame, encoded once, as upstream's cachingObject encodes an event once per serializer."""
    encoded = []
    frames = chain.rest.protobuf_frames
    real_encode = frames.encode_object
    monkeypatch.setattr(frames, "encode_object", lambda obj: encoded.append(
        (obj["kind"], obj["metadata"]["name"])) or real_encode(obj))
    collection = ns_path(chain, "configmaps")
    rv = call(chain, "GET", collection)[1]["metadata"]["resourceVersion"]
    responses = [call(chain, "GET", collection, accept=PROTOBUF, query={"watch": "1", "resourceVersion": rv})[1]
                 for _ in range(2)]
    call(chain, "POST", collection, {"metadata": {"name": "watched-twice"}, "data": {"k": "v"}})
    first, second = [next(response.chunks) for response in responses]
    for response in responses:
        response.stop()
    assert first == second
    assert encoded == [("ConfigMap", "watched-twice")]


def test_a_watch_of_a_kind_protobuf_cannot_carry_is_json_to_a_client_that_takes_json(chain):
    """A watch of a kind our layouts lack (CustomResourceDefinition) negotiates JSON up front for
    a client that takes it after protobuf, as a GET answers it, instead of a protobuf stream that
    would end with an ERROR at the first event; a kind with a layout is still protobuf."""
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    for path, content_type in ((crds, "application/json"),
                               (ns_path(chain, "configmaps"), PROTOBUF + ";stream=watch")):
        code, response = call(chain, "GET", path, accept=COMPONENTS_ACCEPT, query={"watch": "1", "timeoutSeconds": "0"})
        response.stop()
        assert (code, response.content_type) == (200, content_type)
    assert not protobuf.has_layout("apiextensions.k8s.io/v1", "CustomResourceDefinition")


def test_an_error_is_a_protobuf_status_for_a_client_that_takes_only_protobuf(chain):
    """ErrorNegotiated writes the Status with the serializer the client negotiated: one that asks
    for protobuf alone gets a protobuf Status, not JSON it did not ask for."""
    code, body = call(chain, "GET", ns_path(chain, "configmaps", "absent"), accept=PROTOBUF)
    status = protobuf.decode(body)
    assert (code, status["kind"], status["reason"], status["message"]) == (
        404, "Status", "NotFound", 'configmaps "absent" not found')


def test_an_object_protobuf_cannot_carry_is_406_or_ends_the_watch_with_an_error(chain, monkeypatch):
    """A stored object with a field protobuf has no number for (here ConfigMap's data, taken out of
    its layout) is never sent with the field left out: a GET is 406 naming it, and a watch ends with
    an ERROR event that names it."""
    collection = ns_path(chain, "configmaps")
    rv = call(chain, "GET", collection)[1]["metadata"]["resourceVersion"]
    _, response = call(chain, "GET", collection, accept=PROTOBUF, query={"watch": "1", "resourceVersion": rv})
    call(chain, "POST", collection, {"metadata": {"name": "odd"}, "data": {"k": "v"}})
    layout = {number: field for number, field in protobuf.MESSAGES["core.ConfigMap"].items() if field.name != "data"}
    monkeypatch.setitem(protobuf.MESSAGES, "core.ConfigMap", layout)
    code, body = call(chain, "GET", ns_path(chain, "configmaps", "odd"), accept=PROTOBUF)
    status = protobuf.decode(body)
    assert (code, status["reason"]) == (406, "NotAcceptable")
    assert "ConfigMap: no protobuf field for data" in status["message"]
    frames = list(response.chunks)
    event = {number: value for number, _, value in protobuf.fields(frames[-1][4:], "WatchEvent")}
    raw = {number: value for number, _, value in protobuf.fields(event[2], "WatchEvent.object")}[1]
    assert event[1] == b"ERROR" and "no protobuf field for data" in protobuf.decode(raw)["message"]


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = protobuf.put(1, 2, api_version.encode()) + protobuf.put(2, 2, kind.encode())
    return protobuf.MAGIC + protobuf.put(1, 2, type_meta) + protobuf.put(2, 2, raw)


def test_an_envelope_without_a_kind_takes_the_endpoints(chain):
    """The serializer fills the apiVersion and kind an envelope leaves out from the endpoint's, so
    an empty typeMeta creates the endpoint's kind; an object that does not unmarshal names the
    kind the envelope gave (checked against kube-apiserver 1.24)."""
    raw = protobuf.put(1, 2, protobuf.put(1, 2, b"bare")) + protobuf.put(2, 2, protobuf.put(1, 2, b"k"))
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), _envelope("", "", raw), content_type=PROTOBUF)
    assert (code, created["kind"], created["data"]) == (201, "ConfigMap", {"k": ""})
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), _envelope("", "Pod", b"\x12\x01"),
                        content_type=PROTOBUF)
    assert (code, status["message"]) == (400, 'Pod in version "v1" cannot be handled as a ConfigMap: unexpected EOF')


@pytest.mark.parametrize("api_version,kind,raw,message", [
    ("", "", b"\x10\x00", "proto: wrong wireType = 0 for field Preconditions"),
    ("v1", "DeleteOptions", b"\x12\x01x", "unexpected EOF"),
    ("v1", "ConfigMap", b"", 'no kind "ConfigMap" is registered for version "v1" in scheme '
                             '"k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/register.go:27"'),
])
def test_a_protobuf_delete_body_is_read_as_delete_options(chain, api_version, kind, raw, message):
    """A delete's protobuf body is a meta.k8s.io/v1 DeleteOptions unless its envelope names a kind
    the meta scheme lacks; its errors are the codec's own words (a 500 upstream, 400 here)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "d"), _envelope(api_version, kind, raw),
                        content_type=PROTOBUF)
    assert (code, status["message"]) == (400, message)
    no_grace = _envelope("", "", b"\x08\x00")  # gracePeriodSeconds 0, the endpoint's DeleteOptions
    assert call(chain, "DELETE", ns_path(chain, "configmaps", "d"), no_grace, content_type=PROTOBUF)[0] == 200


def test_a_map_entry_and_raw_json_are_replaced_when_their_message_repeats():
    """A message given twice is read into its first value, but a map's entry is replaced key by key
    (`m.Extra[key] = value`) and a RawExtension's raw bytes are replaced, not merged as JSON."""
    first = protobuf.encode_message("authorization.SubjectAccessReviewSpec",
                                    {"user": "a", "extra": {"scopes": ["x"], "team": ["t"]}, "groups": ["g1"]})
    second = protobuf.encode_message("authorization.SubjectAccessReviewSpec",
                                     {"extra": {"scopes": ["y"]}, "groups": ["g2"]})
    review = protobuf.decode_message("authorization.SubjectAccessReview",
                                     protobuf.put(2, 2, first) + protobuf.put(2, 2, second))
    assert review["spec"] == {"user": "a", "extra": {"scopes": ["y"], "team": ["t"]}, "groups": ["g1", "g2"]}
    revisions = [protobuf.encode_message("apps.ControllerRevision", {"data": data}) for data in ({"a": 1}, {"b": 2})]
    assert protobuf.decode_message("apps.ControllerRevision", b"".join(revisions))["data"] == {"b": 2}


def test_a_message_repeated_many_times_decodes_in_linear_time():
    """A Pod whose metadata is given 60000 times, one finalizer each, is read into one metadata in
    place: it costs about what one metadata with 60000 finalizers costs (copying the finalizers so
    far at each repeat made it some thirty times that). Compared in CPU time, on the same machine."""
    count = 60000
    once = protobuf.put(1, 2, protobuf.encode_message("meta.ObjectMeta", {"finalizers": ["f"] * count}))
    repeated = protobuf.put(1, 2, protobuf.encode_message("meta.ObjectMeta", {"finalizers": ["f"]})) * count
    started = time.process_time()
    assert len(protobuf.decode_message("core.Pod", once)["metadata"]["finalizers"]) == count
    baseline = time.process_time() - started
    started = time.process_time()
    assert len(protobuf.decode_message("core.Pod", repeated)["metadata"]["finalizers"]) == count
    assert time.process_time() - started < 10 * baseline + 0.05


def _revision_with_raw_data(name: str, data: bytes) -> bytes:
    """A protobuf ControllerRevision whose `data` RawExtension holds `data` as it is."""
    revision = protobuf.put(1, 2, protobuf.encode_message("meta.ObjectMeta", {"name": name})) + \
        protobuf.put(2, 2, protobuf.put(1, 2, data)) + protobuf.put(3, 0, 1)
    type_meta = protobuf.put(1, 2, b"apps/v1") + protobuf.put(2, 2, b"ControllerRevision")
    return protobuf.MAGIC + protobuf.put(1, 2, type_meta) + protobuf.put(2, 2, revision)


def test_deep_raw_json_in_a_protobuf_body_is_refused_as_the_same_json_body_is(chain):
    """A RawExtension (or FieldsV1) whose JSON nests 1000 levels is refused with a 400, as the same
    object in a JSON body is, not a 500 from Python's recursive JSON decoder; a shallow one is stored."""
    deep = b"[" * 1000 + b"]" * 1000
    collection = ns_path(chain, "controllerrevisions", group="apps/v1")
    code, answer = call(chain, "POST", collection, _revision_with_raw_data("deep-raw", deep), content_type=PROTOBUF)
    json_body = b'{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"deep-raw"},' \
        b'"revision":1,"data":' + deep + b"}"
    json_code, _ = call(chain, "POST", collection, json_body)
    assert (code, json_code) == (400, 400), answer
    managed = protobuf.put(6, 2, b"FieldsV1") + protobuf.put(7, 2, protobuf.put(1, 2, deep))
    with pytest.raises(ProtobufError, match="nested 1000 levels"):
        protobuf.decode_message("meta.ObjectMeta", protobuf.put(17, 2, managed))
    code, stored = call(chain, "POST", collection, _revision_with_raw_data("shallow-raw", b'{"a":[1]}'),
                        content_type=PROTOBUF)
    assert code == 201 and stored["data"] == {"a": [1]}, stored


def _timestamp(seconds: int) -> bytes:
    return protobuf.put(1, 0, seconds & 0xFFFFFFFFFFFFFFFF)


def test_a_protobuf_time_past_year_9999_is_taken_as_the_json_one_is_refused(chain):
    """A protobuf time is a time.Time at once, never parsed as text, so year 10000 is stored and
    written back as Format writes it, in JSON and in protobuf (kube-apiserver 1.24: 201); the same
    text in a JSON body fails time.Parse's four-digit year (400)."""
    lease = protobuf.put(1, 2, protobuf.encode_message("meta.ObjectMeta", {"name": "far"})) + \
        protobuf.put(2, 2, protobuf.put(3, 2, _timestamp(253402300800)))  # spec.acquireTime
    code, created = call(chain, "POST", ns_path(chain, "leases", group="coordination.k8s.io/v1"),
                         _envelope("coordination.k8s.io/v1", "Lease", lease), content_type=PROTOBUF,
                         query={"dryRun": "All"})
    assert (code, created["spec"]) == (201, {"acquireTime": "10000-01-01T00:00:00.000000Z"}), created
    assert protobuf.decode(protobuf.encode(created))["spec"] == created["spec"]  # a protobuf reader gets it too
    as_json = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "far"},
               "spec": {"acquireTime": "10000-01-01T00:00:00.000000Z"}}
    code, status = call(chain, "POST", ns_path(chain, "leases", group="coordination.k8s.io/v1"), as_json,
                        query={"dryRun": "All"})
    assert (code, status["reason"]) == (400, "BadRequest")


@pytest.mark.parametrize("target,message", [
    (protobuf.put(1, 0, 1) + protobuf.put(2, 0, 8080), 'spec.ports[0].targetPort: Invalid value: ""'),
    (protobuf.put(1, 0, 0) + protobuf.put(3, 2, b"http"), "spec.ports[0].targetPort: Invalid value: 0: "
                                                           "must be between 1 and 65535, inclusive"),
], ids=["empty-name-beside-8080", "zero-beside-a-name"])
def test_a_target_port_with_the_other_value_beside_it_is_not_defaulted(chain, target, message):
    """SetDefaults_ServicePort compares the whole IntOrString struct with FromInt(0) and
    FromString(""): an empty name with a number beside it, or port 0 with a name beside it (which
    only protobuf can send), is not defaulted to the port but refused (kube-apiserver 1.24: 422)."""
    def service(target_port: bytes) -> bytes:
        port = protobuf.put(1, 2, b"http") + protobuf.put(3, 0, 80) + protobuf.put(4, 2, target_port)
        raw = protobuf.put(1, 2, protobuf.encode_message("meta.ObjectMeta", {"name": "target"})) + \
            protobuf.put(2, 2, protobuf.put(1, 2, port))
        return _envelope("v1", "Service", raw)

    code, status = call(chain, "POST", ns_path(chain, "services"), service(target), content_type=PROTOBUF,
                        query={"dryRun": "All"})
    assert (code, status.get("reason")) == (422, "Invalid"), status
    assert message in status["message"]
    plain = protobuf.put(1, 0, 0) + protobuf.put(3, 2, b"")  # Go's zero struct: defaulted to the port
    code, created = call(chain, "POST", ns_path(chain, "services"), service(plain), content_type=PROTOBUF,
                         query={"dryRun": "All"})
    assert (code, created["spec"]["ports"][0]["targetPort"]) == (201, 80), created


def test_a_string_that_is_no_utf8_keeps_its_bytes_until_it_is_written_as_json(chain):
    """A protobuf string is Go's bytes: a validation message quotes a byte that is no UTF-8 as %q
    does (\\xff), the JSON (and YAML) of the message and of the object write it as U+FFFD, and a protobuf
    answer gives the byte back (kube-apiserver 1.24; we used to print U+FFFD in the quotes too)."""
    def config_map(name: bytes, key: bytes) -> bytes:
        meta = protobuf.put(1, 2, name) + protobuf.put(3, 2, chain.namespace.encode())
        return _envelope("v1", "ConfigMap", protobuf.put(1, 2, meta) + protobuf.put(2, 2, protobuf.put(1, 2, key)))

    code, status = call(chain, "POST", ns_path(chain, "configmaps"), config_map(b"bad-\xff", b"k"),
                        content_type=PROTOBUF, query={"dryRun": "All"})
    assert code == 422 and status["message"].startswith(
        'ConfigMap "bad-\\xff" is invalid: metadata.name: Invalid value: "bad-\\xff": a lowercase RFC 1123'), status
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), config_map(b"good", b"\xffk"),
                        content_type=PROTOBUF, query={"dryRun": "All"})
    assert code == 422 and status["message"].startswith(
        'ConfigMap "good" is invalid: data[\ufffdk]: Invalid value: "\\xffk": a valid config key'), status
    annotation = protobuf.put(1, 2, b"a") + protobuf.put(2, 2, b"\xc3")
    annotated = protobuf.put(1, 2, b"noted") + protobuf.put(12, 2, annotation)
    body = _envelope("v1", "ConfigMap", protobuf.put(1, 2, annotated))
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=PROTOBUF,
                         query={"dryRun": "All"})
    assert (code, created["metadata"]["annotations"]) == (201, {"a": "\ufffd"}), created
    code, answer = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=PROTOBUF,
                        query={"dryRun": "All"}, accept=PROTOBUF)
    assert code == 201 and b"\x12\x01\xc3" in answer
    code, answer = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=PROTOBUF,
                        query={"dryRun": "All"}, accept="application/yaml")
    assert code == 201 and "  annotations:\n    a: \ufffd\n" in answer.decode(), answer  # YAML is made from JSON


def test_an_event_time_message_naming_the_zero_instant_counts_as_set(chain):
    """MicroTime.Unmarshal gives a Timestamp message that is there (even for year 1, Go's zero
    instant) a Local location, so ValidateEventCreate's `EventTime.Time == zeroTime` is false and
    the event is held to the events.k8s.io rules (kube-apiserver 1.24: 422 reportingController);
    an empty message is the zero time and the legacy rules apply (201)."""
    def event(event_time: bytes) -> bytes:
        meta = protobuf.put(1, 2, b"zero") + protobuf.put(3, 2, chain.namespace.encode())
        involved = protobuf.put(1, 2, b"Pod") + protobuf.put(2, 2, chain.namespace.encode()) + protobuf.put(3, 2, b"p")
        raw = protobuf.put(1, 2, meta) + protobuf.put(2, 2, involved) + protobuf.put(3, 2, b"Probe") + \
            protobuf.put(4, 2, b"m") + protobuf.put(9, 2, b"Normal") + protobuf.put(10, 2, event_time)
        return _envelope("v1", "Event", raw)

    code, status = call(chain, "POST", ns_path(chain, "events"), event(_timestamp(-62135596800)),
                        content_type=PROTOBUF, query={"dryRun": "All"})
    assert (code, status.get("reason")) == (422, "Invalid"), status
    assert "reportingController: Required value" in status["message"]
    code, created = call(chain, "POST", ns_path(chain, "events"), event(b""), content_type=PROTOBUF,
                         query={"dryRun": "All"})
    assert code == 201, created


def test_a_time_of_any_year_a_protobuf_body_stored_is_printed_and_compared(chain):
    """A year a protobuf body can store (10000, 0000) is read back wherever a time is read: the
    events' table shows <invalid> for a last seen in year 10000 (time.Since saturates, HumanDuration
    refuses a negative age) where it was a 500, and a PUT changing deletionTimestamp to year
    10000 is 422 "field is immutable" with the time as Go's String writes it (kube-apiserver 1.24)."""
    meta = protobuf.put(1, 2, b"far-seen") + protobuf.put(3, 2, chain.namespace.encode())
    involved = protobuf.put(1, 2, b"Pod") + protobuf.put(2, 2, chain.namespace.encode()) + protobuf.put(3, 2, b"p")
    raw = protobuf.put(1, 2, meta) + protobuf.put(2, 2, involved) + protobuf.put(3, 2, b"Probe") + \
        protobuf.put(6, 2, _timestamp(-62167219200)) + protobuf.put(7, 2, _timestamp(253402300800))
    code, created = call(chain, "POST", ns_path(chain, "events"), _envelope("v1", "Event", raw), content_type=PROTOBUF)
    assert (code, created["lastTimestamp"]) == (201, "10000-01-01T00:00:00Z"), created
    try:
        code, table = call(chain, "GET", ns_path(chain, "events"), accept="application/json;as=Table;v=v1;g=meta.k8s.io",
                           query={"fieldSelector": "metadata.name=far-seen"})
        assert code == 200, table
        assert table["rows"][0]["cells"][:1] == ["<invalid>"], table["rows"]
    finally:
        call(chain, "DELETE", ns_path(chain, "events", "far-seen"))
    code, current = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "far-deleted"}})
    assert code == 201, current
    meta = protobuf.encode_message("meta.ObjectMeta", {**current["metadata"]}) + \
        protobuf.put(9, 2, _timestamp(253402300800))  # deletionTimestamp
    code, status = call(chain, "PUT", ns_path(chain, "configmaps", "far-deleted"),
                        _envelope("v1", "ConfigMap", protobuf.put(1, 2, meta)), content_type=PROTOBUF)
    assert (code, status.get("reason")) == (422, "Invalid"), status
    assert "metadata.deletionTimestamp: Invalid value: 10000-01-01 00:00:00 +0000 UTC: field is immutable" \
        in status["message"], status


def test_bytes_that_are_no_utf8_are_stored_as_they_came(chain, etcd):
    """Upstream's storage keeps a protobuf string's bytes, so the object read back is the one
    created: a StorageClass PUT back unchanged as protobuf is 200 (not 422 "updates to parameters
    are forbidden"); an annotation of 200,000 bytes 0xFF counts 200,000 bytes on a strategic merge
    patch, which patches the object itself (200), but 600,000 on a merge patch, which patches its
    JSON, where each byte is a U+FFFD (422 Too long); etcd holds each byte once (kube-apiserver 1.24)."""
    raw = protobuf.put(1, 2, protobuf.put(1, 2, b"sc-ff")) + protobuf.put(2, 2, b"example.com/p") + \
        protobuf.put(3, 2, protobuf.put(1, 2, b"k") + protobuf.put(2, 2, b"v\xff"))
    classes = "/apis/storage.k8s.io/v1/storageclasses"
    code, created = call(chain, "POST", classes, _envelope("storage.k8s.io/v1", "StorageClass", raw),
                         content_type=PROTOBUF, accept=PROTOBUF)
    try:
        assert code == 201 and b"v\xff" in created
        code, answer = call(chain, "PUT", f"{classes}/sc-ff", created, content_type=PROTOBUF)
        assert code == 200, answer
    finally:
        call(chain, "DELETE", f"{classes}/sc-ff")
    annotation = protobuf.put(1, 2, b"a") + protobuf.put(2, 2, b"\xff" * 200_000)
    meta = protobuf.put(1, 2, b"ff-noted") + protobuf.put(12, 2, annotation)
    code, created = call(chain, "POST", ns_path(chain, "configmaps"),
                         _envelope("v1", "ConfigMap", protobuf.put(1, 2, meta)), content_type=PROTOBUF)
    assert code == 201, created
    path = ns_path(chain, "configmaps", "ff-noted")
    code, patched = call(chain, "PATCH", path, {"metadata": {"labels": {"x": "y"}}},
                         content_type="application/strategic-merge-patch+json")
    assert code == 200, patched
    stored = etcd.range(f"/registry/configmaps/{chain.namespace}/ff-noted").kvs[0]
    assert stored.value.count(b"\xff") == 200_000 and len(stored.value) < 201_000
    code, status = call(chain, "PATCH", path, {"metadata": {"labels": {"z": "y"}}},
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (422, 'ConfigMap "ff-noted" is invalid: metadata.annotations: Too long: '
                                               'must have at most 262144 bytes'), status
    data = protobuf.put(1, 2, protobuf.put(1, 2, b"ff-data")) + \
        protobuf.put(2, 2, protobuf.put(1, 2, b"k") + protobuf.put(2, 2, b"\xff" * 300_000))
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), _envelope("v1", "ConfigMap", data),
                         content_type=PROTOBUF, accept=PROTOBUF)
    assert code == 201 and created.count(b"\xff") == 300_000  # 0.3 MB to etcd, not a 413 for 1.8 MB of escapes
