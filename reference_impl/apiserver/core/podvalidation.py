"""Pod spec validation with the field paths and messages of k8s.io/kubernetes/pkg/apis/core/validation:
ValidatePodSpec and what it calls (volumes, containers and their probes, ports, env, mounts and
resources, tolerations, node and pod affinity, topology spread), and the pod templates of the
workload kinds and jobs. Security contexts are `podsecuritycontext`'s."""
from __future__ import annotations


from reference_impl.apiserver.core import seccomp
from reference_impl.apiserver.core.envvalidation import env_from_problems, env_problems
from reference_impl.apiserver.core.handlervalidation import (go_lifecycle, go_probe, handler_problems,
                                                             lifecycle_problems, port_name_problems,
                                                             pull_policy_problems, termination_message_policy_problems)
from reference_impl.apiserver.core.volumevalidation import (FILE_MODE_MSG, descending_path_problems,
                                                            downward_api_file_problems,
                                                            key_to_path_problems, volume_source_problems)
from reference_impl.apiserver.core.podannotations import pod_specific_annotation_problems
from reference_impl.apiserver.core.podsecuritycontext import (os_problems, pod_security_context_problems,
                                                              security_context_problems, windows_host_process_problems)
from reference_impl.apiserver.core.validation import (NEGATIVE_MSG, PORT_RANGE_MSG, PROTOCOLS,
                                                      annotation_problems, as_list, as_object,
                                                      container_resource_name_problems, converts_to_selector,
                                                      duplicate, go_label_selector, go_string_map, invalid,
                                                      label_name_problems, label_problems, label_selector_problems,
                                                      name_problems, parse_ip, required, resource_quantity_problems,
                                                      toleration_problems, unsupported)
from reference_impl.machinery import quantity
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

RESTART_POLICIES = ("Always", "OnFailure", "Never")
HUGE_PAGES = "hugepages-"
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")  # ValidatePreemptionPolicy's order
MOUNT_PROPAGATIONS = ("Bidirectional", "HostToContainer", "None")  # sorted, as sets.String.List() gives them

# VolumeSource's members in the order validateVolumeSource checks them, each with the field name its
# "more than 1 volume type" error carries (Go's, typo included: downwarAPI).
VOLUME_SOURCES = (("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"),
                  ("gcePersistentDisk", "gcePersistentDisk"), ("awsElasticBlockStore", "awsElasticBlockStore"),
                  ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"), ("glusterfs", "glusterfs"),
                  ("flocker", "flocker"), ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"),
                  ("cinder", "cinder"), ("cephfs", "cephFS"), ("quobyte", "quobyte"), ("downwardAPI", "downwarAPI"),
                  ("fc", "fc"), ("flexVolume", "flexVolume"), ("configMap", "configMap"), ("azureFile", "azureFile"),
                  ("vsphereVolume", "vsphereVolume"), ("photonPersistentDisk", "photonPersistentDisk"),
                  ("portworxVolume", "portworxVolume"), ("azureDisk", "azureDisk"), ("storageos", "storageos"),
                  ("projected", "projected"), ("scaleIO", "scaleIO"), ("csi", "csi"), ("ephemeral", "ephemeral"))

# What a projected service account token may live: ten minutes to 2^32 seconds.
MIN_TOKEN_SECONDS, MAX_TOKEN_SECONDS = 10 * 60, 1 << 32


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateProjectionSources")
def projection_problems(projected: dict, path: str) -> list[str]:
    """Each source of a projected volume names its secret or configMap, with well-formed items,
    holds well-formed downward API files, asks for a token of an allowed lifetime at a path, and is
    of one kind only; no two sources write one path (reported on the volume with the later
    source's name, or a file's path). The token's missing path is reported on the volume, as
    upstream does."""
    problems, paths = [], set()

    def claim(target: str, shown: str) -> None:
        if target in paths:
            problems.append(invalid(path, shown, "conflicting duplicate paths"))
        paths.add(target)

    for index, source in enumerate(as_list(projected.get("sources"))):
        source, here = as_object(source), f"{path}.sources[{index}]"
        kinds = [kind for kind in ("secret", "configMap", "downwardAPI", "serviceAccountToken")
                 if source.get(kind) is not None]
        for kind in ("secret", "configMap"):
            if kind not in kinds:
                continue
            name = as_object(source[kind]).get("name") or ""
            if not name:
                problems.append(required(f"{here}.{kind}.name"))
            for i, item in enumerate(as_list(as_object(source[kind]).get("items"))):
                problems += key_to_path_problems(as_object(item), f"{here}.{kind}.items[{i}]")
                if as_object(item).get("path"):
                    claim(as_object(item)["path"], name)
        if "downwardAPI" in kinds:
            for item in as_list(as_object(source["downwardAPI"]).get("items")):
                problems += downward_api_file_problems(as_object(item), f"{here}.downwardAPI")
                if as_object(item).get("path"):
                    claim(as_object(item)["path"], as_object(item)["path"])
        if "serviceAccountToken" in kinds:
            token = as_object(source["serviceAccountToken"])
            seconds = token.get("expirationSeconds") or 0
            if isinstance(seconds, int) and seconds < MIN_TOKEN_SECONDS:
                problems.append(invalid(f"{here}.serviceAccountToken.expirationSeconds", seconds,
                                        "may not specify a duration less than 10 minutes"))
            if isinstance(seconds, int) and seconds > MAX_TOKEN_SECONDS:
                problems.append(invalid(f"{here}.serviceAccountToken.expirationSeconds", seconds,
                                        "may not specify a duration larger than 2^32 seconds"))
            if not token.get("path"):
                problems.append(required(f"{path}.path"))
        if len(kinds) > 1:
            problems.append(f"{here}: Forbidden: may not specify more than 1 volume type")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateVolumes")
def volume_problems(volumes: object, path: str) -> tuple[dict[str, str], list[str]]:
    """Each volume a valid, unique name and exactly one source; returns the volumes that passed,
    which are the only ones a volumeMount or volumeDevice may name, each with its source's field."""
    names: dict[str, str] = {}
    problems = []
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        volume = volume if isinstance(volume, dict) else {}
        here, name, found = f"{path}[{index}]", volume.get("name") or "", []
        sources = [(key, go_name) for key, go_name in VOLUME_SOURCES if volume.get(key) is not None]
        if sources[:1] == [("projected", "projected")]:  # only the first source is validated
            mode = as_object(volume["projected"]).get("defaultMode")
            if isinstance(mode, int) and not 0 <= mode <= 0o777:
                found.append(invalid(f"{here}.projected.defaultMode", mode, FILE_MODE_MSG))
            found += projection_problems(as_object(volume["projected"]), f"{here}.projected")
        elif sources:
            found += volume_source_problems(sources[0][0], as_object(volume[sources[0][0]]), here)
        found += [f"{here}.{go_name}: Forbidden: may not specify more than 1 volume type" for _, go_name in sources[1:]]
        if not sources:
            found.append(f"{here}: Required value: must specify a volume type")
        found += name_problems(name, "label", f"{here}.name") if name else [required(f"{here}.name")]
        if name in names:
            found.append(duplicate(f"{here}.name", name))
        if found:
            problems += found
        else:
            names[name] = sources[0][0]
    return names, problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateProbe")
def probe_problems(probe: object, path: str) -> list[str]:
    """One handler, no negative timing, and a grace period above 0 when set."""
    if not isinstance(probe, dict):
        return []
    problems = handler_problems(probe, path)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        value = probe.get(field)
        if isinstance(value, int) and value < 0:
            problems.append(invalid(f"{path}.{field}", value, NEGATIVE_MSG))
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        problems.append(invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
    return problems


def _probes_problems(container: dict, path: str) -> list[str]:
    """validateContainers' probe checks in its order: liveness, readiness's grace period, startup,
    liveness's success threshold, startup again (upstream calls validateProbe on it twice, so its
    errors are listed twice), startup's success threshold. A liveness or startup probe succeeds
    once (successThreshold 1 when set: unset is defaulted to 1)."""
    liveness, readiness, startup = (container.get(kind) for kind in ("livenessProbe", "readinessProbe", "startupProbe"))
    problems = probe_problems(liveness, f"{path}.livenessProbe")
    if isinstance(readiness, dict) and readiness.get("terminationGracePeriodSeconds") is not None:
        problems.append(invalid(f"{path}.readinessProbe.terminationGracePeriodSeconds",
                                readiness["terminationGracePeriodSeconds"], "must not be set for readinessProbes"))
    problems += probe_problems(startup, f"{path}.startupProbe")
    for kind, probe in (("livenessProbe", liveness), ("startupProbe", startup)):
        if kind == "startupProbe":
            problems += probe_problems(startup, f"{path}.startupProbe")
        threshold = probe.get("successThreshold") if isinstance(probe, dict) else None
        if threshold not in (None, 1):
            problems.append(invalid(f"{path}.{kind}.successThreshold", threshold, "must be 1"))
    return problems


def _port_problems(ports: object, path: str) -> list[str]:
    """validateContainerPorts: port numbers in range (containerPort required), names IANA_SVC_NAMEs
    unique in the container, a known protocol (an unset one is defaulted to TCP later)."""
    problems, names = [], set()
    for index, port in enumerate(ports if isinstance(ports, list) else []):
        here, port = f"{path}[{index}]", port if isinstance(port, dict) else {}
        name = port.get("name") or ""
        if name:
            messages = port_name_problems(name)
            problems += [invalid(f"{here}.name", name, message) for message in messages]
            if not messages and name in names:
                problems.append(duplicate(f"{here}.name", name))
            names.add(name)
        number = port.get("containerPort") or 0
        if number == 0:
            problems.append(required(f"{here}.containerPort"))
        elif not isinstance(number, int) or not 1 <= number <= 65535:
            problems.append(invalid(f"{here}.containerPort", number, PORT_RANGE_MSG))
        host = port.get("hostPort") or 0
        if host and (not isinstance(host, int) or not 1 <= host <= 65535):
            problems.append(invalid(f"{here}.hostPort", host, PORT_RANGE_MSG))
        if port.get("protocol") and port["protocol"] not in PROTOCOLS:
            problems.append(unsupported(f"{here}.protocol", port["protocol"], PROTOCOLS))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateInitContainers")
def init_container_problems(init_containers: list, names: set[str], volumes: dict[str, str], path: str) -> list[str]:
    """validateContainers on the init containers alone (so a name used twice among them is reported
    there, and again below), each one's host ports alone (they run one by one); then each name
    against the app containers' and the earlier init containers', and no lifecycle or probe, which
    an init container cannot have (the value shown as Go's %#v)."""
    problems = _containers(init_containers, path, set(), volumes)
    for container in init_containers:
        problems += host_port_conflicts([container], path)
    names = set(names)
    for index, container in enumerate(init_containers):
        here, container = f"{path}[{index}]", as_object(container)
        name = container.get("name") or ""
        if name in names:
            problems.append(duplicate(f"{here}.name", name))
        if name:
            names.add(name)
        if container.get("lifecycle") is not None:
            problems.append(f"{here}.lifecycle: Invalid value: {go_lifecycle(container['lifecycle'])}: "
                            "must not be set for init containers")
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            if container.get(kind) is not None:
                problems.append(f"{here}.{kind}: Invalid value: {go_probe(container[kind])}: "
                                "must not be set for init containers")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateVolumeDevices")
def volume_device_problems(container: dict, volumes: dict[str, str], path: str) -> list[str]:
    """Each device names a volume of the pod backed by a claim (a PVC or an ephemeral volume) and a
    device path, neither twice, the path without '..', and neither a mount's."""
    mounts = {as_object(mount).get("name") or "": as_object(mount).get("mountPath") or ""
              for mount in as_list(container.get("volumeMounts"))}
    problems, names, paths = [], set(), set()
    for index, device in enumerate(as_list(container.get("volumeDevices"))):
        here, device = f"{path}[{index}]", as_object(device)
        name, device_path = device.get("name") or "", device.get("devicePath") or ""
        if not name:
            problems.append(required(f"{here}.name"))
        if name in names:
            problems.append(invalid(f"{here}.name", name, "must be unique"))
        if name in volumes and volumes[name] not in ("persistentVolumeClaim", "ephemeral"):
            problems.append(invalid(f"{here}.name", name, "can only use volume source type of PersistentVolumeClaim "
                                                        "or Ephemeral for block mode"))
        if name not in volumes:
            problems.append(f"{here}.name: Not found: {quote(name)}")
        if not device_path:
            problems.append(required(f"{here}.devicePath"))
        if device_path in paths:
            problems.append(invalid(f"{here}.devicePath", device_path, "must be unique"))
        if device_path and ".." in device_path.split("/"):
            problems.append(invalid(f"{here}.devicePath", device_path, "can not contain backsteps ('..')"))
        else:
            paths.add(device_path)
        if name in mounts:
            problems.append(invalid(f"{here}.name", name, "must not already exist in volumeMounts"))
        if device_path in mounts.values():
            problems.append(invalid(f"{here}.devicePath", device_path,
                                    "must not already exist as a path in volumeMounts"))
        if name:
            names.add(name)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.AccumulateUniqueHostPorts")
def host_port_conflicts(containers: list, path: str) -> list[str]:
    """No protocol, host IP and host port used twice among `containers` (each is indexed within
    the list given: upstream checks an init container alone, so it is always [0])."""
    seen, problems = set(), []
    for i, container in enumerate(containers):
        for j, port in enumerate(as_list(as_object(container).get("ports"))):
            port = as_object(port)
            if not port.get("hostPort"):
                continue
            key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{port['hostPort']}"
            if key in seen:
                problems.append(duplicate(f"{path}[{i}].ports[{j}].hostPort", key))
            seen.add(key)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateVolumeMounts",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateMountPropagation")
def volume_mount_problems(container: dict, volumes: dict[str, str], path: str) -> list[str]:
    """Each mount names a volume of the pod and a mount path, no path twice, neither a device's;
    a relative subPath or subPathExpr (not both) without '..', and a known propagation, Bidirectional
    only for a privileged container. The last three carry the list's path, not the mount's, as
    upstream's do."""
    devices = {as_object(device).get("name") or "": as_object(device).get("devicePath") or ""
               for device in as_list(container.get("volumeDevices"))}
    privileged = as_object(container.get("securityContext")).get("privileged") is True
    problems, paths = [], set()
    for index, mount in enumerate(as_list(container.get("volumeMounts"))):
        here, mount = f"{path}[{index}]", as_object(mount)
        name, mount_path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            problems.append(required(f"{here}.name"))
        if name not in volumes:
            problems.append(f'{here}.name: Not found: "{name}"')
        if not mount_path:
            problems.append(required(f"{here}.mountPath"))
        if mount_path in paths:
            problems.append(invalid(f"{here}.mountPath", mount_path, "must be unique"))
        paths.add(mount_path)
        if name in devices:
            problems.append(invalid(f"{here}.name", name, "must not already exist in volumeDevices"))
        if mount_path in devices.values():
            problems.append(invalid(f"{here}.mountPath", mount_path,
                                    "must not already exist as a path in volumeDevices"))
        sub_path, expression = mount.get("subPath") or "", mount.get("subPathExpr") or ""
        if sub_path:
            problems += descending_path_problems(sub_path, f"{path}.subPath")
        if expression:
            if sub_path:
                problems.append(invalid(f"{here}.subPathExpr", expression,
                                        "subPathExpr and subPath are mutually exclusive"))
            problems += descending_path_problems(expression, f"{path}.subPathExpr")
        propagation = mount.get("mountPropagation")
        if propagation is not None:
            if propagation not in MOUNT_PROPAGATIONS:
                problems.append(unsupported(f"{path}.mountPropagation", propagation, MOUNT_PROPAGATIONS))
            if propagation == "Bidirectional" and not privileged:
                problems.append(f"{path}.mountPropagation: Forbidden: Bidirectional mount propagation is available "
                                "only to privileged containers")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceRequirements")
def resource_problems(resources: object, path: str) -> list[str]:
    """Resource names a container may ask for, no negative quantity, no request above its limit
    (for hugepages and extended resources, which cannot be overcommitted, none other than the
    limit), hugepages in whole pages and only beside cpu or memory."""
    resources = resources if isinstance(resources, dict) else {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    problems, names = [], set()
    for group, values in (("limits", limits), ("requests", requests)):
        for name, written in (values.items() if isinstance(values, dict) else ()):
            names.add(name)
            problems += container_resource_name_problems(name, f"{path}.{group}[{name}]")
            value = quantity.exact(written)
            if value is not None:
                problems += resource_quantity_problems(name, written, f"{path}.{group}[{name}]")
            if group == "requests" and value is not None:
                problems += _request_above_limit(name, written, value, limits, path)
            problems += _huge_page_problems(name, written, f"{path}.{group}[{name}]")
    if any(name.startswith(HUGE_PAGES) for name in names) and not names & {"cpu", "memory"}:
        problems.append(f"{path}: Forbidden: HugePages require cpu or memory")
    return problems


def _request_above_limit(name: str, written: object, value: object, limits: object, path: str) -> list[str]:
    overcommit = ("/" not in name or name.endswith(".kubernetes.io") or "kubernetes.io/" in name) \
        and not name.startswith(HUGE_PAGES)
    limit = quantity.exact(limits.get(name)) if isinstance(limits, dict) and name in limits else None
    if limit is None:
        if not overcommit and not (isinstance(limits, dict) and name in limits):
            return [f"{path}.limits: Required value: Limit must be set for non overcommitable resources"]
    elif value != limit and not overcommit:
        return [invalid(f"{path}.requests", str(quantity.marshaled(written)), f"must be equal to {name} limit")]
    elif value > limit:
        return [invalid(f"{path}.requests", str(quantity.marshaled(written)),
                        f"must be less than or equal to {name} limit")]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateResourceQuantityHugePageValue",
         "k8s.io/kubernetes/pkg/apis/core/helper.IsHugePageResourceValueDivisible")
def _huge_page_problems(name: str, written: object, path: str) -> list[str]:
    """A hugepages-<size> quantity in whole pages (its value rounded up to an integer), shown in
    canonical form."""
    amount, page = quantity.parse(written), quantity.parse(name.removeprefix(HUGE_PAGES))
    if not name.startswith(HUGE_PAGES) or amount is None:
        return []
    whole = page is not None and page.value > 0 and page.value.denominator == 1
    if whole and quantity.scaled_value(written, 0) % page.value == 0:  # Quantity.Value, overflow and all
        return []
    shown = str(amount)  # Quantity.String: the text as sent where it is canonical already ("+1")
    return [invalid(path, shown, f"{shown} is not positive integer multiple of {name}")]


def _containers(containers: object, path: str, seen: set[str], volumes: dict[str, str]) -> list[str]:
    """validateContainers, in upstream's order of checks within each container."""
    problems = []
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        here = f"{path}[{i}]"
        container = container if isinstance(container, dict) else {}
        name = container.get("name") or ""
        if not name:
            problems.append(required(f"{here}.name"))
        else:
            problems += name_problems(name, "label", f"{here}.name")
        # A name is checked whether or not an earlier container took it: a repeated bad name is
        # Invalid and Duplicate both, and a second missing one Required and Duplicate.
        if name in seen:
            problems.append(duplicate(f"{here}.name", name))
        else:
            seen.add(name)
        if not container.get("image"):
            problems.append(required(f"{here}.image"))
        if container.get("lifecycle") is not None:
            problems += lifecycle_problems(container["lifecycle"], f"{here}.lifecycle")
        problems += _probes_problems(container, here)
        problems += termination_message_policy_problems(container.get("terminationMessagePolicy"),
                                                        f"{here}.terminationMessagePolicy")
        problems += probe_problems(container.get("readinessProbe"), f"{here}.readinessProbe")
        problems += _port_problems(container.get("ports"), f"{here}.ports")
        problems += env_problems(container.get("env"), f"{here}.env")
        problems += env_from_problems(container.get("envFrom"), f"{here}.envFrom")
        problems += volume_mount_problems(container, volumes, f"{here}.volumeMounts")
        problems += volume_device_problems(container, volumes, f"{here}.volumeDevices")
        problems += pull_policy_problems(container.get("imagePullPolicy"), f"{here}.imagePullPolicy")
        problems += resource_problems(container.get("resources"), f"{here}.resources")
        problems += security_context_problems(container.get("securityContext"), f"{here}.securityContext")
    return problems


# EphemeralContainerCommon's fields that allowedEphemeralContainerFields leaves out, in the struct's
# order: a debugging container provides no service, so it has no ports, resources, probes or hooks.
EPHEMERAL_FORBIDDEN_FIELDS = ("ports", "resources", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle")
EPHEMERAL_FORBIDDEN = "Forbidden: cannot be set for an Ephemeral Container"


def _is_set(container: dict, field: str) -> bool:
    """validateFieldAllowList's test: the field differs from its Go zero value. Resources is a
    struct, zero while both its maps are nil; the others are slices and pointers, nil only when
    absent or null."""
    value = container.get(field)
    if field == "resources":
        value = as_object(value)
        return value.get("limits") is not None or value.get("requests") is not None
    return value is not None


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateEphemeralContainers",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateFieldAllowList")
def ephemeral_container_problems(ephemeral: object, names: set[str], volumes: dict[str, str], path: str) -> list[str]:
    """Each ephemeral container targets a container of the pod if it names one, has a name no
    other container has, passes validateContainers (which writes a second index into its paths,
    `[0][0]`, as upstream's does) and sets none of the fields a debugging container may not."""
    problems, names = [], set(names)
    for i, container in enumerate(as_list(ephemeral)):
        here, container = f"{path}[{i}]", as_object(container)
        target = container.get("targetContainerName")
        if target and target not in names:
            problems.append(f"{here}.targetContainerName: Not found: {quote(str(target))}")
        name = container.get("name")
        if not name:
            problems.append(required(here, "ephemeralContainer requires a name"))
            continue
        problems += _containers([container], here, set(), volumes)
        image = container.get("image")
        if isinstance(image, str) and image != image.strip():  # validateContainersOnlyForPod
            problems.append(invalid(f"{here}[0].image", image, "must not have leading or trailing whitespace"))
        if name in names:
            problems.append(duplicate(f"{here}.name", name))
        names.add(name)
        problems += [f"{here}.{field}: {EPHEMERAL_FORBIDDEN}" for field in EPHEMERAL_FORBIDDEN_FIELDS
                     if _is_set(container, field)]
        for j, mount in enumerate(as_list(container.get("volumeMounts"))):
            problems += [f"{here}.volumeMounts[{j}].{field}: {EPHEMERAL_FORBIDDEN}"
                         for field in ("subPath", "subPathExpr") if as_object(mount).get(field)]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpec")
def pod_spec_problems(spec: object, path: str, restart_policies=RESTART_POLICIES) -> list[str]:
    """ValidatePodSpec: volumes with one source each, named containers with images (unique names)
    whose probes, ports, env, mounts and resources hold, a known restart policy and DNS policy, a
    node selector of valid labels, valid security contexts, node and pod affinity, DNS config,
    readiness gates, topology spread constraints, node name, deadline, hostname and subdomain,
    tolerations, host aliases, the names of the service account, priority class and runtime
    class, the preemption policy and overhead, and an os whose pod sets nothing the other
    system's runtime would ignore. For a pod the admission plugins that resolve those names answer
    first (403 for a class or account that is not there); a pod template has none."""
    spec = spec if isinstance(spec, dict) else {}
    volumes, problems = volume_problems(spec.get("volumes"), f"{path}.volumes")
    if not spec.get("containers"):
        return problems + [required(f"{path}.containers")]
    seen: set[str] = set()
    problems += _containers(spec["containers"], f"{path}.containers", seen, volumes)
    problems += host_port_conflicts(as_list(spec["containers"]), f"{path}.containers")
    init_containers = as_list(spec.get("initContainers"))
    problems += init_container_problems(init_containers, seen, volumes, f"{path}.initContainers")
    seen |= {as_object(container).get("name") or "" for container in init_containers}
    problems += ephemeral_container_problems(spec.get("ephemeralContainers"), seen, volumes,
                                             f"{path}.ephemeralContainers")
    policy = spec.get("restartPolicy", restart_policies[0])
    if policy not in restart_policies:
        problems.append(unsupported(f"{path}.restartPolicy", policy, restart_policies))
    problems += dns_policy_problems(spec.get("dnsPolicy"), f"{path}.dnsPolicy")
    problems += label_problems(spec.get("nodeSelector"), f"{path}.nodeSelector")
    problems += pod_security_context_problems(spec, path)
    problems += affinity_problems(spec.get("affinity"), f"{path}.affinity")
    problems += pod_dns_config_problems(spec.get("dnsConfig"), spec.get("dnsPolicy"), f"{path}.dnsConfig")
    problems += readiness_gate_problems(as_list(spec.get("readinessGates")), f"{path}.readinessGates")
    problems += topology_spread_constraint_problems(as_list(spec.get("topologySpreadConstraints")),
                                                    f"{path}.topologySpreadConstraints")
    problems += windows_host_process_problems(spec, path)
    if spec.get("serviceAccountName"):
        problems += name_problems(str(spec["serviceAccountName"]), "subdomain", f"{path}.serviceAccountName")
    if spec.get("nodeName"):
        problems += name_problems(str(spec["nodeName"]), "subdomain", f"{path}.nodeName")
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= MAX_INT32:
        problems.append(invalid(f"{path}.activeDeadlineSeconds", deadline, f"must be between 1 and {MAX_INT32}, "
                                                                           "inclusive"))
    for field in ("hostname", "subdomain"):
        if spec.get(field):
            problems += name_problems(str(spec[field]), "label", f"{path}.{field}")
    problems += toleration_problems(spec.get("tolerations") or [], f"{path}.tolerations")
    problems += host_alias_problems(as_list(spec.get("hostAliases")), f"{path}.hostAliases")
    for field in ("priorityClassName", "runtimeClassName"):
        if spec.get(field):
            problems += name_problems(str(spec[field]), "subdomain", f"{path}.{field}")
    if spec.get("preemptionPolicy") is not None and spec["preemptionPolicy"] not in PREEMPTION_POLICIES:
        problems.append(unsupported(f"{path}.preemptionPolicy", spec["preemptionPolicy"], PREEMPTION_POLICIES))
    if spec.get("overhead") is not None:  # validateOverhead: checked as a container's limits
        problems += resource_problems({"limits": spec["overhead"]}, f"{path}.overhead")
    return problems + os_problems(spec, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateAffinity")
def affinity_problems(affinity: object, path: str) -> list[str]:
    affinity = as_object(affinity)
    problems = []
    if affinity.get("nodeAffinity") is not None:
        problems += node_affinity_problems(as_object(affinity["nodeAffinity"]), f"{path}.nodeAffinity")
    for field in ("podAffinity", "podAntiAffinity"):
        if affinity.get(field) is not None:
            problems += pod_affinity_problems(as_object(affinity[field]), f"{path}.{field}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateNodeAffinity")
def node_affinity_problems(node_affinity: dict, path: str) -> list[str]:
    problems = []
    required_terms = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required_terms is not None:
        problems += node_selector_problems(as_object(required_terms),
                                           f"{path}.requiredDuringSchedulingIgnoredDuringExecution")
    problems += preferred_scheduling_term_problems(
        as_list(node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution")),
        f"{path}.preferredDuringSchedulingIgnoredDuringExecution")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeSelector")
def node_selector_problems(node_selector: dict, path: str) -> list[str]:
    """At least one term, each valid (the terms are ORed: none would match no node)."""
    terms = as_list(node_selector.get("nodeSelectorTerms"))
    if not terms:
        return [required(f"{path}.nodeSelectorTerms", "must have at least one node selector term")]
    return [problem for i, term in enumerate(terms)
            for problem in node_selector_term_problems(as_object(term), f"{path}.nodeSelectorTerms[{i}]")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeSelectorTerm")
def node_selector_term_problems(term: dict, path: str) -> list[str]:
    problems = []
    for i, requirement in enumerate(as_list(term.get("matchExpressions"))):
        problems += node_selector_requirement_problems(as_object(requirement), f"{path}.matchExpressions[{i}]")
    for i, requirement in enumerate(as_list(term.get("matchFields"))):
        problems += node_field_selector_requirement_problems(as_object(requirement), f"{path}.matchFields[{i}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeSelectorRequirement")
def node_selector_requirement_problems(requirement: dict, path: str) -> list[str]:
    """A known operator with the values it takes, and a qualified key."""
    operator, values = requirement.get("operator") or "", as_list(requirement.get("values"))
    problems = []
    if operator in ("In", "NotIn") and not values:
        problems.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist") and values:
        problems.append(f"{path}.values: Forbidden: may not be specified when `operator` is 'Exists' or "
                        "'DoesNotExist'")
    elif operator in ("Gt", "Lt") and len(values) != 1:
        problems.append(required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    elif operator not in ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"):
        problems.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    return problems + label_name_problems(requirement.get("key") or "", f"{path}.key")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeFieldSelectorRequirement")
def node_field_selector_requirement_problems(requirement: dict, path: str) -> list[str]:
    """The only node field a selector may name is metadata.name, with In or NotIn and one node name."""
    operator, values = requirement.get("operator") or "", as_list(requirement.get("values"))
    problems = []
    if operator not in ("In", "NotIn"):
        problems.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    elif len(values) != 1:
        problems.append(required(f"{path}.values",
                                 "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
    key = requirement.get("key") or ""
    if key != "metadata.name":
        return problems + [invalid(f"{path}.key", key, "not a valid field selector key")]
    return problems + [problem for i, value in enumerate(values)
                       for problem in name_problems(str(value), "subdomain", f"{path}.values[{i}]")]


def _weight_problems(term: dict, path: str) -> list[str]:
    weight = term.get("weight") or 0
    if not isinstance(weight, int) or not 1 <= weight <= 100:
        return [invalid(f"{path}.weight", weight, "must be in the range 1-100")]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePreferredSchedulingTerms")
def preferred_scheduling_term_problems(terms: list, path: str) -> list[str]:
    return [problem for i, term in enumerate(terms)
            for problem in _weight_problems(as_object(term), f"{path}[{i}]") + node_selector_term_problems(
                as_object(as_object(term).get("preference")), f"{path}[{i}].preference")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodAffinity",
         "k8s.io/kubernetes/pkg/apis/core/validation.validatePodAntiAffinity",
         "k8s.io/kubernetes/pkg/apis/core/validation.validatePodAffinityTerms",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateWeightedPodAffinityTerms")
def pod_affinity_problems(pod_affinity: dict, path: str) -> list[str]:
    """Affinity and anti-affinity alike: every required term valid, every preferred term weighted
    1-100 and valid."""
    problems = []
    required_terms = "requiredDuringSchedulingIgnoredDuringExecution"
    for i, term in enumerate(as_list(pod_affinity.get(required_terms))):
        problems += pod_affinity_term_problems(as_object(term), f"{path}.{required_terms}[{i}]")
    preferred_terms = "preferredDuringSchedulingIgnoredDuringExecution"
    for i, weighted in enumerate(as_list(pod_affinity.get(preferred_terms))):
        here, weighted = f"{path}.{preferred_terms}[{i}]", as_object(weighted)
        problems += _weight_problems(weighted, here)
        problems += pod_affinity_term_problems(as_object(weighted.get("podAffinityTerm")), f"{here}.podAffinityTerm")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodAffinityTerm")
def pod_affinity_term_problems(term: dict, path: str) -> list[str]:
    """Valid label and namespace selectors, namespace names (reported at `namespace`, as upstream
    spells it) and a topologyKey that is a qualified name."""
    problems = label_selector_problems(term.get("labelSelector"), f"{path}.labelSelector") + \
        label_selector_problems(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    for namespace in as_list(term.get("namespaces")):
        problems += name_problems(str(namespace), "label", f"{path}.namespace")
    topology_key = term.get("topologyKey") or ""
    if not topology_key:
        problems.append(required(f"{path}.topologyKey", "can not be empty"))
    return problems + label_name_problems(topology_key, f"{path}.topologyKey")


SCHEDULE_ACTIONS = ("DoNotSchedule", "ScheduleAnyway")
NOT_POSITIVE_MSG = "must be greater than zero"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateTopologySpreadConstraints",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateMaxSkew",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateTopologyKey",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateWhenUnsatisfiable",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateSpreadConstraintNotRepeat")
def topology_spread_constraint_problems(constraints: list, path: str) -> list[str]:
    """A positive maxSkew, a topologyKey, a known whenUnsatisfiable, and each {topologyKey,
    whenUnsatisfiable} pair once, reported at the first of the two. The labelSelector is not
    validated in 1.24, and minDomains was dropped before (its feature gate is off)."""
    problems = []
    pairs = [(as_object(c).get("topologyKey") or "", as_object(c).get("whenUnsatisfiable") or "") for c in constraints]
    for i, constraint in enumerate(constraints):
        here, constraint = f"{path}[{i}]", as_object(constraint)
        max_skew = constraint.get("maxSkew") or 0
        if not isinstance(max_skew, int) or max_skew <= 0:
            problems.append(invalid(f"{here}.maxSkew", max_skew, NOT_POSITIVE_MSG))
        topology_key, action = pairs[i]
        if not topology_key:
            problems.append(required(f"{here}.topologyKey", "can not be empty"))
        if action not in SCHEDULE_ACTIONS:
            problems.append(unsupported(f"{here}.whenUnsatisfiable", action, SCHEDULE_ACTIONS))
        if pairs[i] in pairs[i + 1:]:
            problems.append(duplicate(f"{here}.{{topologyKey, whenUnsatisfiable}}", f"{{{topology_key}, {action}}}"))
    return problems


DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
# ExpandedDNSConfig is alpha and off in 1.24: the legacy limits hold.
MAX_DNS_NAMESERVERS, MAX_DNS_SEARCH_PATHS, MAX_DNS_SEARCH_LIST_CHARS = 3, 6, 256
MAX_INT32 = 2**31 - 1


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateDNSPolicy")
def dns_policy_problems(policy: object, path: str) -> list[str]:
    """A known policy. An empty one is ClusterFirst: SetDefaults_PodSpec sets it so before any
    validation (upstream's Required error never fires)."""
    policy = policy or "ClusterFirst"
    return [] if policy in DNS_POLICIES else [unsupported(path, policy, DNS_POLICIES)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodDNSConfig")
def pod_dns_config_problems(config: object, policy: object, path: str) -> list[str]:
    """dnsPolicy None needs a config with a nameserver; a config has at most 3 nameservers, each
    an IP, at most 6 search domains of 256 characters in all, each a subdomain (a trailing dot
    allowed), and named options: what the kubelet can write to resolv.conf."""
    if policy == "None":
        if config is None:
            return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not as_list(as_object(config).get("nameservers")):
            return [required(f"{path}.nameservers",
                             "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if config is None:
        return []
    config, problems = as_object(config), []
    nameservers = [str(ns) for ns in as_list(config.get("nameservers"))]
    if len(nameservers) > MAX_DNS_NAMESERVERS:
        problems.append(invalid(f"{path}.nameservers", nameservers,
                                f"must not have more than {MAX_DNS_NAMESERVERS} nameservers"))
    problems += [invalid(f"{path}.nameservers[{i}]", ns, "must be valid IP address")
                 for i, ns in enumerate(nameservers) if parse_ip(ns) is None]
    searches = [str(search) for search in as_list(config.get("searches"))]
    if len(searches) > MAX_DNS_SEARCH_PATHS:
        problems.append(invalid(f"{path}.searches", searches,
                                f"must not have more than {MAX_DNS_SEARCH_PATHS} search paths"))
    if len(" ".join(searches)) > MAX_DNS_SEARCH_LIST_CHARS:
        problems.append(invalid(f"{path}.searches", searches, f"must not have more than {MAX_DNS_SEARCH_LIST_CHARS} "
                                                              "characters (including spaces) in the search list"))
    for i, search in enumerate(searches):
        problems += name_problems(search.removesuffix("."), "subdomain", f"{path}.searches[{i}]")
    return problems + [required(f"{path}.options[{i}]", "must not be empty")
                       for i, option in enumerate(as_list(config.get("options"))) if not as_object(option).get("name")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateHostAliases")
def host_alias_problems(aliases: list, path: str) -> list[str]:
    """Each alias an IP and subdomain hostnames, reported at `ip` and `hostnames` with no index."""
    problems = []
    for alias in aliases:
        alias = as_object(alias)
        ip = str(alias.get("ip") or "")
        if parse_ip(ip) is None:
            problems.append(invalid(f"{path}.ip", ip, "must be valid IP address"))
        for hostname in as_list(alias.get("hostnames")):
            problems += name_problems(str(hostname), "subdomain", f"{path}.hostnames")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateReadinessGates")
def readiness_gate_problems(gates: list, path: str) -> list[str]:
    return [problem for i, gate in enumerate(gates)
            for problem in label_name_problems(str(as_object(gate).get("conditionType") or ""),
                                               f"{path}[{i}].conditionType")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodTemplateSpec")
def pod_template_spec_problems(template: dict, path: str, restart_policies=RESTART_POLICIES) -> list[str]:
    """The template's labels and annotations (at its own path: Go embeds its ObjectMeta), those a pod
    reads among them, and its pod spec, which may not hold ephemeral containers."""
    meta, spec = as_object(template.get("metadata")), template.get("spec")
    problems = label_problems(meta.get("labels"), f"{path}.labels")
    problems += annotation_problems(meta.get("annotations"), f"{path}.annotations")
    problems += pod_specific_annotation_problems(meta.get("annotations"), spec, f"{path}.annotations")
    problems += pod_spec_problems(spec, f"{path}.spec", restart_policies)
    problems += seccomp.annotations_and_fields_problems(meta, spec, f"{path}.spec")
    if isinstance(spec, dict) and as_list(spec.get("ephemeralContainers")):
        problems.append(f"{path}.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDeploymentSpec",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidateReplicaSetSpec",
         "k8s.io/kubernetes/pkg/apis/apps/validation.ValidatePodTemplateSpecForReplicaSet")
def validate_workload(obj: dict) -> list[str]:
    """Deployments and ReplicaSets (whose message says deployment too, as upstream's does): a
    non-empty valid selector that converts to a labels.Selector and matches the template's labels
    (a missing one matches nothing, an empty one is not compared), then the template, whose pods
    restart Always and have no active deadline."""
    spec = as_object(obj.get("spec"))
    replicas = spec.get("replicas", 1)
    problems = [] if isinstance(replicas, int) and replicas >= 0 else [
        invalid("spec.replicas", replicas, "must be greater than or equal to 0")]
    selector = spec.get("selector")
    if selector is None:
        problems.append(required("spec.selector"))
    else:
        problems += label_selector_problems(selector, "spec.selector")
        if not (as_object(selector).get("matchLabels") or as_object(selector).get("matchExpressions")):
            problems.append(f"spec.selector: Invalid value: {go_label_selector(as_object(selector))}: "
                            "empty selector is invalid for deployment")
    if not converts_to_selector(selector):
        return problems + [f"spec.selector: Invalid value: {go_label_selector(selector)}: invalid label selector"]
    template = as_object(spec.get("template"))
    labels = as_object(template.get("metadata")).get("labels")
    selects_everything = selector is not None and not (
        as_object(selector).get("matchLabels") or as_object(selector).get("matchExpressions"))
    if not selects_everything and not selector_matches(selector, labels):
        problems.append(f"spec.template.metadata.labels: Invalid value: {go_string_map(labels)}: "
                        "`selector` does not match template `labels`")
    problems += pod_template_spec_problems(template, "spec.template")
    # SetDefaults_PodSpec makes a policy not given Always, even in a template that was not sent.
    policy = as_object(template.get("spec")).get("restartPolicy") or "Always"
    if policy != "Always":
        problems.append(unsupported("spec.template.spec.restartPolicy", policy, ("Always",)))
    if as_object(template.get("spec")).get("activeDeadlineSeconds") is not None:
        problems.append("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet "
                        "is not Supported")
    return problems


JOB_RESTART_POLICIES = ("OnFailure", "Never")
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000  # batch validation's maxParallelismForIndexedJob


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.validateJobSpec")
def job_spec_problems(spec: dict, path: str) -> list[str]:
    """Counts not negative, a known completion mode, a valid pod template, and then a restart policy
    of OnFailure or Never: Always (the pod default) counts as not given."""
    problems = []
    for field in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"):
        value = spec.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(invalid(f"{path}.{field}", value, "must be greater than or equal to 0"))
    mode = spec.get("completionMode", "NonIndexed")
    if mode not in ("NonIndexed", "Indexed"):
        problems.append(unsupported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed":  # a Job's defaults give it completions; a CronJob's job template has none
        if spec.get("completions") is None:
            problems.append(required(f"{path}.completions", "when completion mode is Indexed"))
        parallelism = spec.get("parallelism")
        if isinstance(parallelism, int) and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
            problems.append(invalid(f"{path}.parallelism", parallelism, "must be less than or equal to "
                                    f"{MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"))
    template = as_object(spec.get("template"))
    problems += pod_template_spec_problems(template, f"{path}.template")
    policy = as_object(template.get("spec")).get("restartPolicy") or ""
    policy_path = f"{path}.template.spec.restartPolicy"
    if policy in ("Always", ""):
        problems.append(required(policy_path, 'valid values: "OnFailure", "Never"'))
    elif policy not in JOB_RESTART_POLICIES:
        problems.append(unsupported(policy_path, policy, JOB_RESTART_POLICIES))
    return problems
