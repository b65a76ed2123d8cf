"""The field manager of one resource (and subresource): what every write does to metadata.managedFields,
and server-side apply, as k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager's default chain does it.

An update (create, update, or a JSON, merge or strategic patch) records an `Update` entry for its
manager with the fields it set or changed; an apply (`application/apply-patch+yaml`) merges the
applied configuration into the live object and records an `Apply` entry, or fails with a 409 when
it would change fields other managers own. Sans-IO: objects in, objects out, the time passed in.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import encoding, errors, gostruct, scheme
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.schemas import META, REF_PREFIX
from reference_impl.apiserver.fieldmanager import lastapplied, typed
from reference_impl.apiserver.fieldmanager.fieldpath import Path, PathElement, path_string
from reference_impl.apiserver.fieldmanager.managedfields import (APPLY, UPDATE, Managed, ManagedFieldsError,
                                                                 build_manager_identifier, decode_managed_fields,
                                                                 encode_managed_fields, is_reset)
from reference_impl.apiserver.fieldmanager.typed import Schema, TypedError
from reference_impl.apiserver.fieldmanager.updater import Conflicts, Updater, VersionedSet
from reference_impl.machinery import gojson
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors

FIELD_MANAGER_MAX_LENGTH = 128
CURRENT_OPERATION = "current-operation"
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
MAX_UPDATE_MANAGERS = 10  # DefaultMaxUpdateManagers


def _path(*names: str) -> Path:
    return tuple(PathElement.field(name) for name in names)


# stripMetaManager's set: fields every object has that nobody is said to own.
STRIPPED = frozenset(_path(*names) for names in (
    ("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"), ("metadata", "namespace"),
    ("metadata", "creationTimestamp"), ("metadata", "selfLink"), ("metadata", "uid"), ("metadata", "clusterName"),
    ("metadata", "generation"), ("metadata", "managedFields"), ("metadata", "resourceVersion")))
REPLICAS = _path("spec", "replicas")


# The manager of kube-apiserver 1.24's own loopback writes (the RBAC bootstrap hook, the
# authentication trust controller, CRD status, quota status): clientset.NewForConfig builds the
# shared http.Client before each typed client defaults its config's UserAgent, so the transport
# sends Go's own "Go-http-client/2.0" (seen as these objects' managedFields on the real server).
LOOPBACK_FIELD_MANAGER = "Go-http-client"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.managerOrUserAgent",
         "k8s.io/apiserver/pkg/endpoints/handlers.prefixFromUserAgent")
def manager_or_user_agent(manager: str, user_agent: str) -> str:
    """The fieldManager asked for, else the User-Agent up to its first "/", printable characters
    only, cut to 128 bytes."""
    if manager:
        return manager
    prefix = ""
    for char in user_agent.split("/")[0]:
        if not char.isprintable():  # Python's printable is Go's unicode.IsPrint
            continue
        if len((prefix + char).encode()) > FIELD_MANAGER_MAX_LENGTH:
            break
        prefix += char
    return prefix


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.NewConflictError",
         "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.getConflictMessage",
         "k8s.io/apimachinery/pkg/api/errors.NewApplyConflict")
def conflict_error(conflicts: Conflicts) -> StatusError:
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {print_manager(c.manager)}",
               "field": path_string(c.path)} for c in conflicts.conflicts]
    if len(conflicts.conflicts) == 1:
        only = conflicts.conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {print_manager(only.manager)}: {path_string(only.path)}"
    else:
        lines = []
        for manager in sorted({c.manager for c in conflicts.conflicts}):
            lines.append(f"conflicts with {print_manager(manager)}:")
            lines += [f"- {path_string(c.path)}" for c in conflicts.conflicts if c.manager == manager]
        message = f"Apply failed with {len(conflicts.conflicts)} conflicts: " + "\n".join(lines)
    return StatusError(409, "Conflict", message, {"causes": causes})


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal.printManager")
def print_manager(identifier: str) -> str:
    """`"kubectl"`, `"kubectl" with subresource "scale" using apps/v1` for an updater."""
    manager = json.loads(identifier)
    shown = json.dumps(manager.get("manager", ""), ensure_ascii=False)
    if manager.get("subresource"):
        shown += f' with subresource {json.dumps(manager["subresource"], ensure_ascii=False)}'
    if manager["operation"] == UPDATE:
        return f"{shown} using {manager.get('apiVersion', '')}"
    return shown


@functools.cache
def _zero_object(api_version: str, kind: str) -> dict | None:
    """gostruct.zero_object of the kind, encoded once: every create of the kind compares with it."""
    return gostruct.zero_object({"apiVersion": api_version, "kind": kind})


def _uid(obj: dict | None) -> str:
    return ((obj or {}).get("metadata") or {}).get("uid") or ""


def _without_managed_fields(obj: dict) -> dict:
    """`obj` without metadata.managedFields, sharing all else with it: to read, not to change."""
    return {**obj, "metadata": {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}}


# A custom object as its field manager types it: metadata an ObjectMeta (finalizers a set, owner
# references keyed by uid), every other field deduced from its value.
CUSTOM_OBJECT = {"type": "object", "properties": {"metadata": {"$ref": REF_PREFIX + META + "ObjectMeta"}}}


@dataclass(frozen=True)
class FieldManager:
    """fieldmanager.NewDefaultFieldManager for a kind in `api_version`: `ignored` are the fields
    its strategy resets (a main resource's status, a status subresource's spec)."""

    schema: Schema
    api_version: str
    subresource: str = ""
    ignored: frozenset = frozenset()
    default: Callable[[dict], None] = lambda obj: None  # the kind's defaulter, run as decoding runs it
    # 1.24 makes a custom resource's scale field manager with the CRD's converter and types, which
    # know no Scale: every update loses the Scale's entries (UpdateNoErrors) and every apply fails.
    knows_kind: bool = True
    kind: str = ""  # the kind whose zero value a create compares with; "" for one it has no struct of
    custom: bool = False  # a custom resource's: its schema is its CRD's, no kind's of the OpenAPI document
    encode: Callable[[dict], dict] = gostruct.as_encoded  # the typed object as encoding/json writes it

    @classmethod
    def for_resource(cls, resource, subresource: str = "") -> "FieldManager":
        """The field manager for writes to `resource` (a served Resource) or its subresource: one
        per Resource object and subresource, as upstream makes one per endpoint when it installs
        the API (a custom resource's Resource is a new object whenever its CRD changes)."""
        made = resource.field_managers.get(subresource)
        if made is None:
            made = resource.field_managers[subresource] = cls._for_resource(resource, subresource)
        return made

    @classmethod
    def _for_resource(cls, resource, subresource: str) -> "FieldManager":
        if subresource == "scale":
            return cls(Schema.for_kind("autoscaling/v1", "Scale"), "autoscaling/v1", subresource,
                       frozenset({_path("status")}), knows_kind=not resource.custom, kind="Scale")
        # A custom object is typed by its CRD's schema (crdopenapi.apply_schema), or, where it keeps
        # unknown fields at its root, by its values' shapes but for its metadata (an ObjectMeta).
        schema = Schema(resource.apply_schema or CUSTOM_OBJECT) if resource.custom else \
            Schema.for_kind(resource.api_version, resource.kind)
        if resource.reset_fields is not None:
            ignored = frozenset(_path(*names) for names in resource.reset_fields.get(subresource, ()))
        elif subresource == "status":
            ignored = frozenset({_path("spec")})
        else:
            ignored = frozenset({_path("status")}) if "status" in resource.subresources else frozenset()
        return cls(schema, resource.api_version, subresource, ignored,
                   functools.partial(kinds.default, resource), kind=resource.kind, custom=resource.custom,
                   encode=functools.partial(encoding.as_encoded, resource))

    @property
    def _deduced(self) -> bool:
        """Whether the objects are custom ones, typed by their CRD's schema or by their values."""
        return self.custom or self.schema.node is None or self.schema.node is CUSTOM_OBJECT

    @property
    def _updater(self) -> Updater:
        return Updater(self.schema, self.ignored)

    def _zero(self, like: dict) -> dict:
        """What a create compares `like` with: the kind's zero value (one per kind, to read and
        not to change), or for a kind with no struct here, `like`'s own zero."""
        zero = _zero_object(self.api_version, self.kind)
        return typed.zero_like(like, self.schema) if zero is None else zero

    def _identifier(self, manager: str, operation: str) -> str:
        return build_manager_identifier(manager or "unknown", operation, self.api_version, self.subresource)

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.FieldManager).UpdateNoErrors",
             "k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.decodeLiveOrNew",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.skipNonAppliedManager).Update")
    def update(self, live: dict | None, new: dict, manager: str, now: str, *, owned: bool = False,
               defaulted: bool = False) -> dict:
        """`new` with its managedFields: those it was sent with when they decode (the live ones
        when it was sent none, none at all for an empty list), changed by this write. `live` is
        None for a create. A subresource write keeps the live entries whatever it sends. A `new`
        whose metadata is no object is returned as it is, for the decoder to refuse. A caller
        that hands `new` over (`owned`) gets it back with the entries written into it, as Go's
        Update writes them into newObj; any other gets a copy. A `new` already `defaulted` (a
        create's, defaulted as decoding defaults it) is compared as it is."""
        if not _metadata_is_object(new):
            return new
        if not self.knows_kind:
            return _with_managed_fields(new, Managed(), owned)
        live = live or {}
        sent = _managed_fields_of(new)
        if is_reset(sent) and not self.subresource:
            managed = Managed()
        else:
            managed = None if self.subresource else _decoded_or_none(sent)
            if managed is None or not managed.fields:
                managed = _decoded_or_none(_managed_fields_of(live)) or Managed()
        if not managed.fields and _uid(live):
            # An object created before its fields were tracked stays untracked.
            return _with_managed_fields(new, managed, owned)
        converted = _without_managed_fields(new)
        if not defaulted or self.custom:  # the defaulter, and a custom object's encoding, write in place
            converted = deep_copy_json(converted)
        if not defaulted:
            self.default(converted)
        # The typed object converted to unstructured, which leaves out what Go's encoding does.
        converted = self.encode(converted)
        try:
            managed = self._update_managed(_without_managed_fields(live) if live else self._zero(converted),
                                           converted, managed, self._identifier(manager, UPDATE), now)
        except TypedError:
            managed = Managed()  # UpdateNoErrors: the entries are dropped rather than the write failed
        return _with_managed_fields(new, managed, owned)

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.capManagersManager).Update",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.managedFieldsUpdater).Update",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.stripMetaManager).Update")
    def _update_managed(self, live: dict, new: dict, managed: Managed, identifier: str, now: str) -> Managed:
        former = managed.fields.get(identifier)
        fields = self._updater.update(live, new, self.api_version, managed.fields, CURRENT_OPERATION)
        operation = fields.pop(CURRENT_OPERATION, None)
        paths = operation.paths - STRIPPED if operation else frozenset()
        times = dict(managed.times)
        if paths:
            previous = fields.get(identifier)
            fields[identifier] = VersionedSet(paths | previous.paths if previous else paths, self.api_version)
            if former is None or fields[identifier].paths != former.paths:
                times[identifier] = now
        return _cap_update_managers(Managed(fields, {key: times.get(key) for key in fields}))

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.FieldManager).Apply")
    def apply(self, live: dict | None, applied: dict, manager: str, force: bool, now: str) -> dict:
        """The live object (None: none yet) with the applied configuration merged in and its
        managedFields; a StatusError for a configuration that cannot apply or conflicts. For
        "kubectl", what its client-side apply left is no conflict, and its last-applied
        annotation follows."""
        live = live or {}
        if not self.knows_kind:
            raise self._unknown_kind_error(live, applied)
        try:
            result = self._apply(live, applied, manager, force, now)
        except Conflicts as conflicts:
            remaining = conflicts
            if manager == lastapplied.KUBECTL:
                allowed = lastapplied.allowed_conflicts(live, self.schema, self.api_version)
                remaining = lastapplied.remaining_conflicts(conflicts, allowed)
            if remaining is not None:
                raise conflict_error(remaining) from None
            result = self._apply(live, applied, manager, True, now)
        return lastapplied.with_last_applied(result, applied) if manager == lastapplied.KUBECTL else result

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.skipNonAppliedManager).Apply",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.structuredMergeManager).Apply")
    def _unknown_kind_error(self, live: dict, applied: dict) -> StatusError:
        """How an apply fails when the converter and types know no such kind: with no entries yet,
        converting the empty object for the first-apply manager; else typing the patch (plain errors, 500s)."""
        gvk = f"{self.api_version}, Kind={_string_field(applied, 'kind')}"
        managed = _decoded_or_none(_managed_fields_of(live))
        if managed is None or not managed.fields:
            return StatusError(500, "", f"failed to create manager for existing fields: failed to convert live "
                                        f"object (/; {gvk}) to proper version: request to convert CR to an invalid "
                                        f"group/version: {self.api_version}")
        self._check_applied(applied)
        return StatusError(500, "", f"failed to create typed patch object ({_gvknn(applied)}): no corresponding type "
                                    f"for {gvk}")

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.structuredMergeManager).Apply")
    def _check_applied(self, applied: dict) -> None:
        """What the merge checks before it types anything: the configuration's group/version is the
        endpoint's, and it sends no managedFields (GetManagedFields reads only a list; anything
        else is left to the typed check). 400s."""
        # The patch's GroupVersion as parsed from its apiVersion: `apps/v1/` none, `/v1` the core v1.
        patch_version = scheme.from_api_version_and_kind(_string_field(applied, "apiVersion"), "").group_version
        if patch_version != self.api_version:
            raise errors.bad_request("Incorrect version specified in apply patch. Specified patch version: "
                                     f"{patch_version}, expected: {self.api_version}")
        metadata = applied.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("managedFields"), list):
            raise errors.bad_request("metadata.managedFields must be nil")

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.skipNonAppliedManager).Apply",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.managedFieldsUpdater).Apply",
             "(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.structuredMergeManager).Apply")
    def _apply(self, live: dict, applied: dict, manager: str, force: bool, now: str) -> dict:
        try:
            managed = decode_managed_fields(_managed_fields_of(live))
        except ManagedFieldsError as err:
            raise StatusError(500, "", f"failed to decode managed fields: {err}") from None
        original, live = live, _without_managed_fields(live)
        if not _metadata_is_object(applied):
            raise errors.bad_request(f"failed to create typed patch object ({_gvknn(applied)}): .metadata: expected "
                                     f"map, got {gojson.type_name(applied['metadata'])}")
        try:
            if not managed.fields:
                managed = self._update_managed(self._zero(live), live, managed,
                                               self._identifier(BEFORE_FIRST_APPLY, UPDATE), now)
            self._check_applied(applied)
            self._check_type_for(applied)
            self._check_same_kind(applied)
            identifier = self._identifier(manager, APPLY)
            former = dict(managed.fields)
            merged, fields = self._updater.apply(live, applied, self.api_version, managed.fields, identifier, force)
        except TypedError as err:
            # Upstream's words, but a 400: 1.24 answers this client's mistake with a plain error, a
            # 500, which upstream itself counts as a bug (kubernetes#139253, the fix in #139255).
            raise errors.bad_request(f"failed to create typed patch object ({_gvknn(applied)}): {err}") from None
        paths = fields[identifier].paths - STRIPPED
        fields[identifier] = VersionedSet(paths, self.api_version, True)
        if not paths:
            del fields[identifier]
        times = dict(managed.times)
        if merged is not None or fields != former:
            times[identifier] = now
        return _with_managed_fields(original if merged is None else merged,
                                    Managed(fields, {key: times.get(key) for key in fields}))

    @mirrors("(*sigs.k8s.io/structured-merge-diff/v4/merge.Updater).Apply")
    def _check_same_kind(self, applied: dict) -> None:
        """The live object is typed by its kind and the configuration by its own: another kind of
        the group/version (a Secret applied to a ConfigMap) does not merge. Upstream that is a plain
        error, a 500, printing the two typed values with their addresses; a 400 here, its words
        with one address for both."""
        kind = _string_field(applied, "kind")
        if not self._deduced and self.kind and kind and kind != self.kind:
            typed_value = "{0xc000000000 {<nil> <nil> <nil>}}"
            raise errors.bad_request("failed to merge config: expected objects of the same type, but got "
                                     f"{typed_value} and {typed_value}")

    @mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.typeConverter).ObjectToTyped")
    def _check_type_for(self, applied: dict) -> None:
        """The applied configuration is typed by its own kind, which the kind's group/version must
        define, and sets only fields the kind declares (a TypedError otherwise); a custom object's
        deduced type takes any, and one typed by its CRD's schema the fields the schema declares."""
        if self.custom and self.schema.node is not CUSTOM_OBJECT and applied.get("kind") == self.kind:
            typed.check_declared(applied, self.schema)
            return
        if self._deduced:
            return
        kind = _string_field(applied, "kind")
        try:
            schema = Schema.for_kind(self.api_version, kind)
        except LookupError:
            group, _, version = self.api_version.rpartition("/")
            raise TypedError(f"no corresponding type for {group}/{version}, Kind={kind}") from None
        typed.check_declared(applied, schema)


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.capManagersManager).capUpdateManagers")
def _cap_update_managers(managed: Managed) -> Managed:
    """At most ten Update entries: the oldest (by time, then identifier) are merged into one
    "ancient-changes" entry per apiVersion, which takes the time of the last merged."""
    updaters = sorted((manager for manager, owned in managed.fields.items() if not owned.applied),
                      key=lambda manager: (managed.times.get(manager) or "", manager))
    fields, times = dict(managed.fields), dict(managed.times)
    first_of_version: dict[str, str] = {}
    length = len(updaters)
    for manager in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        owned = fields[manager]
        if owned.api_version not in first_of_version:
            first_of_version[owned.api_version] = manager
            continue
        bucket = build_manager_identifier(ANCIENT_CHANGES, UPDATE, owned.api_version)
        if bucket not in fields:
            fields[bucket] = fields.pop(first_of_version[owned.api_version])
        fields[bucket] = VersionedSet(owned.paths | fields[bucket].paths, owned.api_version, owned.applied)
        del fields[manager]
        length -= 1
        times[bucket] = times.get(manager)
    return Managed(fields, {key: times.get(key) for key in fields})


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.objectGVKNN")
@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.structuredMergeManager).Apply")
def unconvertible_apply_result(applied: dict, group: str, version: str, kind: str, problem: str) -> StatusError:
    """An applied object that types but that the kind's struct cannot hold (a time that does not
    parse): upstream's plain error from converting it back, a 500 there; the client's mistake, a
    400 here, in the same words."""
    return errors.bad_request(f"failed to convert new object ({_gvknn(applied)}) to proper version: unable to "
                              f"convert unstructured object to {group}/{version}, Kind={kind}: {problem}")


def _gvknn(obj: dict) -> str:
    """`namespace/name; apps/v1, Kind=Deployment`, how upstream names the object in an error."""
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    gvk = scheme.from_api_version_and_kind(_string_field(obj, "apiVersion"), _string_field(obj, "kind"))
    return f"{metadata.get('namespace', '')}/{metadata.get('name', '')}; {gvk.group}/{gvk.version}, Kind={gvk.kind}"


def _string_field(obj: dict, name: str) -> str:
    """An Unstructured's GetAPIVersion or GetKind: the field when it is a string, else ""."""
    value = obj.get(name)
    return value if isinstance(value, str) else ""


def _decoded_or_none(entries: Any) -> Managed | None:
    try:
        return decode_managed_fields(entries)
    except ManagedFieldsError:
        return None


def _metadata_is_object(obj: dict) -> bool:
    return isinstance(obj.get("metadata"), (dict, type(None)))


def _managed_fields_of(obj: dict) -> Any:
    metadata = obj.get("metadata")
    return metadata.get("managedFields") if isinstance(metadata, dict) else None


def _with_managed_fields(obj: dict, managed: Managed, owned: bool = False) -> dict:
    """A copy of `obj` (`obj` itself when the caller hands it over) with the entries of `managed`,
    where it had them (the stored bytes of a write that changes nothing stay the same) or else
    last, where ObjectMeta has them."""
    if not owned:
        obj = deep_copy_json(obj)
    if obj.get("metadata") is None:  # absent, or null in an applied configuration
        obj["metadata"] = {}
    metadata = obj["metadata"]
    entries = encode_managed_fields(managed)
    if entries:
        metadata["managedFields"] = entries
    else:
        metadata.pop("managedFields", None)
    return obj
