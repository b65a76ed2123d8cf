"""Deletion and the subresources of the generic registry: graceful pod deletion, finalizers,
namespace termination, pods/binding, the scale subresource and the default service account.

`LifecycleMixin` is half of `registry.Registry`; it uses the registry's keys, storage, clock and
CRUD methods and adds nothing of its own state. Deleting a namespace only marks it Terminating,
as in Kubernetes: emptying it is the namespace controller's work, and the namespace goes when the
controller's PUT .../finalize leaves no finalizers (`Registry._delete_without_finalizers`).
"""
from __future__ import annotations

import sys
from typing import Callable

from reference_impl.machinery.objects import deep_copy_json
from reference_impl.apiserver.core import customscale, errors, gostruct, validation
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.selectors import from_label_selector_dict, to_string
from reference_impl.apiserver.fieldmanager import scalehandler
from reference_impl.apiserver.kinds.customresourcedefinition import CRD
from reference_impl.apiserver.kinds.priorityclass import SYSTEM_PRIORITY_CLASS_NAMES
from reference_impl.apiserver.storage.etcd3 import Preconditions, parse_uint_problem
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

TERMINATED_PHASES = ("Failed", "Succeeded")
DEFAULT_GRACE = 30  # seconds, the pod spec's terminationGracePeriodSeconds default
SCALABLE = ("deployments", "replicasets", "statefulsets", "replicationcontrollers")
# The group of the `<plural>/scale` resource a ScaleREST.Get names when the parent is missing;
# StatefulSet's passes the store's NotFound of the parent on.
SCALE_NOT_FOUND_GROUPS = {"deployments": "apps", "replicasets": "apps", "replicationcontrollers": "autoscaling"}
ORPHAN = "orphan"  # metav1.FinalizerOrphanDependents
FOREGROUND = "foregroundDeletion"  # metav1.FinalizerDeleteDependents
# The resources whose strategy's DefaultGarbageCollectionPolicy is OrphanDependents in the version
# served: batch/v1 Jobs and v1 ReplicationControllers, kept so for backwards compatibility.
ORPHAN_BY_DEFAULT = (("batch", "jobs"), ("", "replicationcontrollers"))


@mirrors("k8s.io/apiserver/pkg/registry/generic/registry.deletionFinalizersForGarbageCollection",
         "k8s.io/apiserver/pkg/registry/generic/registry.shouldOrphanDependents",
         "k8s.io/apiserver/pkg/registry/generic/registry.shouldDeleteDependents")
def finalizers_for_garbage_collection(r: Resource, finalizers: list[str], propagation_policy: str | None,
                                      orphan_dependents: bool | None) -> list[str]:
    """The object's finalizers once deleted: with the orphan or foregroundDeletion finalizer the
    garbage collector acts on, as the delete options ask, else as the one the object carries
    asks, else as the resource's default policy."""
    if orphan_dependents is not None:
        orphan, foreground = orphan_dependents, False
    elif propagation_policy is not None:
        orphan, foreground = propagation_policy == "Orphan", propagation_policy == "Foreground"
    else:
        carried = next((f for f in finalizers if f in (ORPHAN, FOREGROUND)), None)
        orphan = carried == ORPHAN or (carried is None and (r.group, r.plural) in ORPHAN_BY_DEFAULT)
        foreground = carried == FOREGROUND
    wanted = [f for f in finalizers if f not in (ORPHAN, FOREGROUND)] + [ORPHAN] * orphan + [FOREGROUND] * foreground
    return finalizers if set(wanted) == set(finalizers) else wanted


def success_status(resource: Resource | None = None, obj: dict | None = None, code: int = 0) -> dict:
    """A metav1 Status with status Success (what deletes of most kinds and bindings answer)."""
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if resource is not None and obj is not None:
        meta = obj.get("metadata", {})
        status["details"] = {k: v for k, v in (("name", meta.get("name")), ("group", resource.group),
                                               ("kind", resource.plural), ("uid", meta.get("uid"))) if v}
    if code:
        status["code"] = code
    return status


class _DryRun(Exception):
    """Carries a dry-run update's result out of GuaranteedUpdate without writing it."""

    def __init__(self, obj: dict):
        super().__init__("dry run")
        self.obj = obj


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodBinding")
def pod_binding_problems(binding: dict) -> list[str]:
    """A binding's target must name a node, and be of kind Node if it names a kind."""
    target = binding.get("target") or {}
    problems = []
    if target.get("kind") not in (None, "", "Node"):
        problems.append(f'target.kind: Unsupported value: "{target["kind"]}": supported values: "Node", "<empty>"')
    if not target.get("name"):
        problems.append("target.name: Required value")
    return problems


def _deleting_now(obj: dict) -> bool:
    """Whether BeforeDelete deletes `obj` without a graceful write: it is already being deleted
    with no grace period left."""
    meta = obj["metadata"]
    return meta.get("deletionTimestamp") is not None and not meta.get("deletionGracePeriodSeconds")


class LifecycleMixin:
    """Delete, delete_collection, namespace termination, bind, scale (mixed into Registry)."""

    @mirrors("k8s.io/apiserver/pkg/registry/rest.BeforeDelete")
    def _preconditions(self, r: Resource, name: str, preconditions: dict | None
                       ) -> Callable[[dict], None] | None:
        """The delete's preconditions: uid and resourceVersion must match, else 409 Conflict named
        by the kind, as BeforeDelete words it (it checks before storage's own Preconditions.Check)."""
        wanted = {k: v for k, v in (preconditions or {}).items() if v is not None}
        if not wanted:
            return None

        def check(obj: dict) -> None:
            meta = obj["metadata"]
            for field, label, why in (("uid", "UID", "deleted and then recreated"),
                                      ("resourceVersion", "ResourceVersion", "modified")):
                if field in wanted and wanted[field] != meta.get(field):
                    raise errors.conflict(r.kind, name, r.object_kind_group,
                                          f"the {label} in the precondition ({wanted[field]}) does not match the "
                                          f"{label} in record ({meta.get(field)}). The object might have been {why}")
        return check

    @staticmethod
    def _grace_period(r: Resource, obj: dict, requested: int | None) -> int:
        """podStrategy.CheckGracefulDelete: the pod's own grace period unless one is requested;
        none for a pod no kubelet runs (unscheduled or finished) and for every other kind. A
        negative period is one second (BeforeDelete and CheckGracefulDelete both say so), so a
        pod already being deleted is not removed at once by one."""
        if r.kind != "Pod":
            return 0
        spec, phase = obj.get("spec") or {}, (obj.get("status") or {}).get("phase")
        if not spec.get("nodeName") or phase in TERMINATED_PHASES:
            return 0
        grace = int(requested if requested is not None else spec.get("terminationGracePeriodSeconds",
                                                                     DEFAULT_GRACE))
        return 1 if grace < 0 else grace

    def delete(self, resource, namespace: str | None, name: str, grace_period_seconds: int | None = None,
               preconditions: dict | None = None, dry_run: bool = False, **propagation) -> dict:
        """Delete an object: the deleted (or now terminating) object, or a Success Status."""
        return self.delete_with_outcome(resource, namespace, name, grace_period_seconds,
                                        preconditions, dry_run, **propagation)[0]

    @mirrors("(*k8s.io/kubernetes/pkg/registry/scheduling/priorityclass/storage.REST).Delete")
    def delete_with_outcome(self, resource, namespace: str | None, name: str,
                            grace_period_seconds: int | None = None, preconditions: dict | None = None,
                            dry_run: bool = False, propagation_policy: str | None = None,
                            orphan_dependents: bool | None = None) -> tuple[dict, bool]:
        """`delete`, also telling whether the object is gone now or only marked for deletion,
        waiting on a grace period, finalizers or the namespace controller. The system
        PriorityClasses may not be deleted (one at a time: a collection delete takes them too)."""
        r = self.resource(resource)
        if r.plural == "priorityclasses" and r.group == "scheduling.k8s.io" and name in SYSTEM_PRIORITY_CLASS_NAMES:
            raise errors.object_forbidden(r.plural, r.group, name,
                                          "this is a system priority class and cannot be deleted")
        if r is CRD:
            return self._mark_crd_deleted(name, preconditions, dry_run, grace_period_seconds)
        return self._store_delete(r, namespace, name, grace_period_seconds, preconditions, dry_run,
                                  propagation_policy, orphan_dependents)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Delete",
             "(*k8s.io/apiserver/pkg/registry/generic/registry.Store).updateForGracefulDeletionAndFinalizers",
             "k8s.io/apiserver/pkg/registry/rest.BeforeDelete", "k8s.io/apiserver/pkg/registry/generic/registry.markAsDeleting")
    def _store_delete(self, r: Resource, namespace: str | None, name: str, grace_period_seconds: int | None,
                      preconditions: dict | None, dry_run: bool, propagation_policy: str | None = None,
                      orphan_dependents: bool | None = None) -> tuple[dict, bool]:
        key = self.key(r, namespace, name)
        current = self.get(r, namespace, name)
        if r.plural == "namespaces" and not r.group:
            _check_namespace_preconditions(current, preconditions or {})
        check = self._preconditions(r, name, preconditions)
        if check:
            check(current)
        if r.plural == "namespaces" and (current.get("spec") or {}).get("finalizers"):
            return self._terminate_namespace(key, current, check, dry_run), False

        def finalizers(obj: dict) -> list[str]:
            return finalizers_for_garbage_collection(r, obj["metadata"].get("finalizers") or [], propagation_policy,
                                                     orphan_dependents)

        grace = self._grace_period(r, current, grace_period_seconds)
        if grace > 0 or finalizers(current):
            return self._mark_deleting(r, key, current, grace, check, dry_run, finalizers,
                                       storage_preconditions(preconditions)), False
        if r.kind == "Pod" and not _deleting_now(current):
            # podStrategy is the one graceful strategy: a pod deleted at once is first written with
            # deletionTimestamp now and a grace period of 0 (its watchers see it so), then removed;
            # a resourceVersion precondition moves on to that write's, as Store.Delete's does.
            current = self._mark_deleting(r, key, current, 0, check, dry_run, finalizers,
                                          storage_preconditions(preconditions))
            if (preconditions or {}).get("resourceVersion") is not None:
                preconditions = {**preconditions, "resourceVersion": current["metadata"]["resourceVersion"]}
            check = self._preconditions(r, name, preconditions)
        if dry_run:
            return (current if r.return_deleted_object else success_status(r, current)), True
        # BeforeDelete checked `current`; the storage checks what it deletes, in its own words
        # (a StorageError) when the object changed since.
        stored = storage_preconditions(preconditions)
        deleted = self._storage_call(r, name, self._store(r).delete, key,
                                     (lambda obj: stored.check(key, obj)) if stored else None)
        self._after_delete(r, deleted)
        return (deleted if r.return_deleted_object else success_status(r, deleted)), True

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/storage.REST).afterDelete")
    def _after_delete(self, r: Resource, deleted: dict) -> None:
        """The Store's AfterDelete hook, run once an object is gone (not in a dry run): a deleted
        Service takes the Endpoints of its name with it, so that a service made again under that
        name does not start with the old one's endpoints before the endpoints controller catches up.
        The Service is gone by then: a failure here is only logged, as upstream's klog.Errorf.
        A custom object gone may let its terminating CRD's finalizer finish."""
        if r.custom:
            self._written(r, deleted)
        if r.plural != "services" or r.group:
            return
        meta = deleted["metadata"]
        try:
            self.delete("endpoints", meta.get("namespace"), meta["name"])
        except errors.StatusError as error:
            if error.code != 404:
                print(f"reference kube-apiserver: delete service endpoints {meta['name']}/{meta.get('namespace')} "
                      f"failed: {error}", file=sys.stderr, flush=True)

    def _mark_deleting(self, r: Resource, key: str, current: dict, grace: int, check, dry_run: bool,
                       finalizers: Callable[[dict], list[str]], stored: Preconditions | None = None) -> dict:
        """Set deletionTimestamp (now + grace), deletionGracePeriodSeconds and the `finalizers`
        the garbage collector needs, the first time with a new generation (where there is one); a
        later delete may shorten the grace period but never lengthen it."""
        def mark(obj: dict) -> dict:
            if check:
                check(obj)
            meta = obj["metadata"]
            meta["finalizers"] = finalizers(obj)
            if not meta["finalizers"]:
                del meta["finalizers"]
            if meta.get("deletionTimestamp") is None and (meta.get("generation") or 0) > 0:
                # BeforeDelete (graceful) and markAsDeleting (finalizers): the first mark is a
                # new generation of an object that counts them.
                meta["generation"] += 1
            if meta.get("deletionTimestamp") is None or grace < meta.get("deletionGracePeriodSeconds", 0):
                meta["deletionTimestamp"] = self._timestamp(grace)
                meta["deletionGracePeriodSeconds"] = grace
            return obj

        if dry_run:
            return mark(deep_copy_json(current))
        name = current["metadata"]["name"]
        # GuaranteedUpdate checks the `stored` preconditions before BeforeDelete's `check` runs again.
        return self._storage_call(r, name, self._store(r).guaranteed_update, key, mark, 0, stored)

    def _timestamp(self, after: float = 0) -> str:
        return rfc3339(self.clock.now() + after)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).DeleteCollection")
    def delete_collection(self, resource, namespace: str | None, grace_period_seconds: int | None = None,
                          propagation_policy: str | None = None, orphan_dependents: bool | None = None,
                          preconditions: dict | None = None, dry_run: bool = False, **list_options) -> dict:
        """Delete, each with the same options (its preconditions too: a 409 stops the rest), every
        object `list` answers for `list_options` (one page under a limit); the list as listed, as
        Store.DeleteCollection returns it. One already gone is no error. Each is deleted in the
        request's namespace: an empty one (`/namespaces//pods`) lists every namespace, and its
        first delete is NamespaceKeyFunc's 400."""
        r = self.resource(resource)
        listed = self.list(r, namespace, **list_options)
        for item in listed["items"]:
            meta = item["metadata"]
            try:
                self._store_delete(r, meta.get("namespace") if namespace is None else namespace, meta["name"],
                                   grace_period_seconds, preconditions,
                                   dry_run, propagation_policy, orphan_dependents)
            except errors.StatusError as error:
                if error.code != 404:
                    raise
        if r is CRD and not dry_run:
            # Store.DeleteCollection bypasses the CRD REST's Delete: the CRDs are gone at once,
            # no finalizer runs and their objects stay in etcd, but they are no longer served.
            self._refresh_custom_resources()
        return listed

    # -- namespaces ------------------------------------------------------------------------------

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/namespace/storage.REST).Delete")
    def _terminate_namespace(self, key: str, current: dict, check, dry_run: bool) -> dict:
        """Mark the namespace Terminating (deletionTimestamp, status.phase); the namespace
        controller deletes its content. A namespace already terminating is returned as it is."""
        if current["metadata"].get("deletionTimestamp"):
            return current

        def mark(ns: dict) -> dict:
            if check:
                check(ns)
            if not ns["metadata"].get("deletionTimestamp"):
                ns["metadata"]["deletionTimestamp"] = self._timestamp()
            ns.setdefault("status", {})["phase"] = "Terminating"
            return ns

        if dry_run:
            return mark(deep_copy_json(current))
        return self._storage_call(self.resource("namespaces"), current["metadata"]["name"],
                                  self.storage.guaranteed_update, key, mark)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/serviceaccount.ServiceAccountsController).syncNamespace")
    def ensure_default_service_account(self, namespace: str) -> dict:
        """The `default` ServiceAccount of `namespace`, created if missing."""
        try:
            return self.create("serviceaccounts", namespace, {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "default", "namespace": namespace}})
        except errors.StatusError as error:
            if error.code != 409:
                raise
            return self.get("serviceaccounts", namespace, "default")

    # -- pods/binding ----------------------------------------------------------------------------

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/storage.BindingREST).Create",
             "(*k8s.io/kubernetes/pkg/registry/core/pod/storage.BindingREST).setPodHostAndAnnotations")
    def bind(self, namespace: str, pod_name: str, binding: dict, dry_run: bool = False) -> dict:
        """Assign a pod to a node: spec.nodeName and a PodScheduled condition, once only. A dry run
        reads the pod and stops before the write."""
        node = binding["target"]["name"]
        annotations = ((binding.get("metadata") or {}).get("annotations")) or {}

        def assign(pod: dict) -> dict:
            if pod["metadata"].get("deletionTimestamp"):
                raise errors.conflict("pods/binding", pod_name, why=f"pod {pod_name} is being deleted, "
                                                            "cannot be assigned to a host")
            bound = pod.get("spec", {}).get("nodeName")
            if bound:
                raise errors.conflict("pods/binding", pod_name,
                                      why=f'pod {pod_name} is already assigned to node "{bound}"')
            pod["spec"]["nodeName"] = node
            pod["metadata"].setdefault("annotations", {}).update(annotations)
            conditions = pod.setdefault("status", {}).setdefault("conditions", [])
            conditions[:] = [c for c in conditions if c.get("type") != "PodScheduled"]
            conditions.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                               "lastTransitionTime": self._timestamp()})
            if dry_run:
                raise _DryRun(pod)
            # The Pod struct encoded: an annotations map made for none stays out, nodeName in its place.
            return gostruct.as_encoded(pod)

        pods = self.resource("pods")
        try:
            self._storage_call(pods, pod_name, self.storage.guaranteed_update,
                               self.key(pods, namespace, pod_name), assign)
        except _DryRun:
            pass
        return success_status(code=201)

    # -- scale -----------------------------------------------------------------------------------

    def _scalable(self, resource) -> Resource:
        r = self.resource(resource)
        if r.plural not in SCALABLE and r.scale_paths is None:
            raise errors.resource_not_served()
        return r

    @staticmethod
    def scale_of(obj: dict) -> dict:
        """The autoscaling/v1 Scale view of a scalable workload."""
        meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
        selector = spec.get("selector")
        if obj.get("kind") == "ReplicationController":  # its selector is a plain label map
            selector = {"matchLabels": selector} if selector else None
        selector = from_label_selector_dict(selector)
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                  "creationTimestamp") if k in meta},
                "spec": {"replicas": spec.get("replicas", 0)},
                "status": {"replicas": status.get("replicas", 0),
                           "selector": to_string(selector)}}

    @mirrors("(*k8s.io/kubernetes/pkg/registry/apps/deployment/storage.ScaleREST).Get",
             "(*k8s.io/kubernetes/pkg/registry/apps/replicaset/storage.ScaleREST).Get",
             "(*k8s.io/kubernetes/pkg/registry/apps/statefulset/storage.ScaleREST).Get",
             "(*k8s.io/kubernetes/pkg/registry/core/replicationcontroller/storage.ScaleREST).Get")
    def get_scale(self, resource, namespace: str, name: str, resource_version: str = "") -> dict:
        """The object's Scale, read at `resource_version`; the ScaleREST of deployments, replica sets
        and replication controllers answers any error of the read (a bad resourceVersion, a key
        without a namespace) as the scale not found."""
        r = self._scalable(resource)
        if r.scale_paths is not None:
            return self._get_custom_scale(r, namespace, name)
        try:
            return self.scale_of(self.get(r, namespace, name, resource_version))
        except errors.StatusError as err:
            if r.plural not in SCALE_NOT_FOUND_GROUPS:
                raise
            raise errors.not_found(f"{r.plural}/scale", name, SCALE_NOT_FOUND_GROUPS[r.plural]) from err

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/registry/customresource.ScaleREST).Get")
    def _get_custom_scale(self, r: Resource, namespace: str, name: str) -> dict:
        """A custom object's Scale; an object without spec replicas has none (a 500, as upstream's
        InternalError), nor has one whose scale fields are of the wrong type."""
        scale, found = _custom_scale_of(self.get(r, namespace, name), r.scale_paths)
        if not found:
            raise errors.internal_error(f"the spec replicas field {quote(r.scale_paths.spec_replicas)} does not exist")
        return scale

    def update_scale(self, resource, namespace: str, name: str, scale: dict, dry_run: bool = False) -> dict:
        """Set spec.replicas from a Scale (its resourceVersion, if any, must be current)."""
        return self._patch_scale(self._scalable(resource), namespace, name, lambda current: scale, dry_run)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/apps/deployment/storage.ScaleREST).Update",
             "(*k8s.io/kubernetes/pkg/registry/apps/replicaset/storage.ScaleREST).Update")
    def _patch_scale(self, r: Resource, namespace: str, name: str, scale_fn, dry_run: bool,
                     update_validation=None, preconditions=None, warnings: list[str] | None = None) -> dict:
        """The Scale's replicas written into the parent through the parent's own strategy, whose
        warnings (a new generation's template warnings) the Scale's update answers with too."""
        if r.scale_paths is not None:
            return self._patch_custom_scale(r, namespace, name, scale_fn, dry_run, update_validation, preconditions)

        def apply(obj: dict) -> dict:
            # scaleUpdatedObjectInfo: the Scale is written with the owners of the parent's replicas,
            # and who owns the Scale's replicas then owns the parent's.
            current = self.scale_of(obj)
            parent_entries = obj["metadata"].get("managedFields")
            current["metadata"]["managedFields"] = scalehandler.to_subresource(parent_entries, r.api_version)
            scale = scale_fn(current)
            entries = scalehandler.to_parent(parent_entries, (scale.get("metadata") or {}).get("managedFields"),
                                             r.api_version)
            if entries:
                obj["metadata"]["managedFields"] = entries
            else:
                obj["metadata"].pop("managedFields", None)
            problems = scale_problems(scale)
            if problems:
                raise errors.invalid("Scale", name, problems, "autoscaling")
            scale_uid = scale["metadata"].get("uid")
            if scale_uid and scale_uid != obj["metadata"].get("uid"):
                raise errors.conflict(f"{r.plural}/scale", name, r.group,
                                      f"Precondition failed: UID in precondition: {scale_uid}, "
                                      f"UID in object meta: {obj['metadata'].get('uid')}")
            replicas = scale["spec"]["replicas"]
            sent_rv = (scale.get("metadata") or {}).get("resourceVersion")
            if sent_rv and parse_uint_problem(sent_rv):
                # Store.Update parses the version the Scale gave its parent; upstream answers its error as a 500.
                raise errors.bad_request(parse_uint_problem(sent_rv))
            if sent_rv and sent_rv != obj["metadata"]["resourceVersion"]:
                raise errors.conflict(r.plural, name, r.group)
            if not isinstance(obj.get("spec"), dict):
                obj["spec"] = {}
            obj["spec"]["replicas"] = replicas  # obj is patch's private copy of the stored object
            return obj

        def scale_validation(obj: dict, old: dict) -> None:  # toScaleUpdateValidation
            update_validation(self.scale_of(obj), self.scale_of(old))

        return self.scale_of(self.patch(r, namespace, name, apply, None, dry_run,
                                        scale_validation if update_validation else None, preconditions, warnings))

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/registry/customresource.ScaleREST).Update",
             "(*k8s.io/apiextensions-apiserver/pkg/registry/customresource.scaleUpdatedObjectInfo).UpdatedObject")
    def _patch_custom_scale(self, r: Resource, namespace: str, name: str, scale_fn, dry_run: bool,
                            update_validation=None, preconditions=None) -> dict:
        """The Scale's replicas written into the custom object, which its strategy then validates:
        a custom resource's Scale gets no ValidateScale of its own. A Scale's resourceVersion is the
        object's precondition."""
        paths = r.scale_paths

        def apply(obj: dict) -> dict:
            current, found = _custom_scale_of(obj, paths)
            if not found:  # a patch that leaves this in place set no replicas
                current["spec"]["replicas"] = customscale.INVALID_SPEC_REPLICAS
            parent_entries = obj["metadata"].get("managedFields")
            current["metadata"]["managedFields"] = scalehandler.to_subresource(parent_entries, r.api_version,
                                                                               paths.spec_replicas)
            scale = scale_fn(current)
            # The autoscaling/v1 Scale struct: a spec or replicas left out or null is its zero, 0.
            replicas = (scale.get("spec") or {}).get("replicas") or 0
            if replicas == customscale.INVALID_SPEC_REPLICAS:
                raise errors.bad_request(f"the spec replicas field {quote(paths.spec_replicas)} cannot be empty")
            try:
                customscale.set_spec_replicas(obj, paths, replicas)
            except customscale.AccessorError as err:
                raise errors.StatusError(500, "", str(err)) from None
            sent_rv = (scale.get("metadata") or {}).get("resourceVersion")
            if sent_rv and parse_uint_problem(sent_rv):
                raise errors.bad_request(parse_uint_problem(sent_rv))
            if sent_rv and sent_rv != obj["metadata"]["resourceVersion"]:
                raise errors.conflict(r.plural, name, r.group)
            entries = scalehandler.to_parent(parent_entries, (scale.get("metadata") or {}).get("managedFields"),
                                             r.api_version, paths.spec_replicas)
            if entries:
                obj["metadata"]["managedFields"] = entries
            else:
                obj["metadata"].pop("managedFields", None)
            return obj

        def scale_validation(obj: dict, old: dict) -> None:  # toScaleUpdateValidation
            update_validation(_custom_scale_of(obj, paths)[0], _custom_scale_of(old, paths)[0])

        updated = self.patch(r, namespace, name, apply, None, dry_run,
                             scale_validation if update_validation else None, preconditions)
        try:
            return customscale.scale_of(updated, paths)[0]
        except customscale.AccessorError as err:
            raise errors.bad_request(str(err)) from None


def _custom_scale_of(obj: dict, paths) -> tuple[dict, bool]:
    """scaleFromCustomResource, its accessor errors answered as the plain errors they are upstream."""
    try:
        return customscale.scale_of(obj, paths)
    except customscale.AccessorError as err:
        raise errors.StatusError(500, "", str(err)) from None


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/validation.ValidateScale",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateScale")
def scale_problems(scale: dict) -> list[str]:
    """The Scale a scale subresource is given: its own metadata (a namespace included: nothing fills
    it in) and a replicas count that is not negative."""
    replicas = (scale.get("spec") or {}).get("replicas")
    problems = validation.metadata_problems(scale, "subdomain", core=True, requires_namespace=True)
    if not isinstance(replicas, int) or replicas < 0:
        problems.append(f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0")
    return problems


@mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Delete")
def storage_preconditions(preconditions: dict | None) -> Preconditions | None:
    """The storage.Preconditions Store.Delete hands the storage, from the DeleteOptions' ones."""
    wanted = {k: v for k, v in (preconditions or {}).items() if v is not None}
    if not wanted:
        return None
    return Preconditions(wanted.get("uid"), wanted.get("resourceVersion"))


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/namespace/storage.REST).Delete")
def _check_namespace_preconditions(namespace: dict, preconditions: dict) -> None:
    """The namespace storage checks a delete's uid and resourceVersion preconditions itself, before
    the generic store does, and words the 409 its own way (naming the resource, namespaces)."""
    meta = namespace["metadata"]
    for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        wanted = preconditions.get(field)
        if wanted is not None and wanted != meta.get(field):
            raise errors.conflict("namespaces", meta["name"], why=f"Precondition failed: {label} in precondition: "
                                  f"{wanted}, {label} in object meta: {meta.get(field)}")
