"""A served resource as plain data: `Resource`, one per served group/version/plural, carries what
discovery, routing, storage and validation need to know about it. `validate` checks a whole object
(metadata, then the kind's own rules); `validate_update` adds the rules that compare with the stored
object. The served resources themselves are in `kinds`, one module per kind.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import Codec
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")
COMMON_FIELDS = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class FieldLabelConversion:
    """A kind's field label conversion func, as its API version registers it with
    AddFieldLabelConversionFunc: the field selector labels it accepts, those it renames to the
    selectable field they stand for, and its error for any other. In `unsupported`, `{label}` is
    the label as Go's %s prints it and `{quoted}` as %q does."""

    labels: tuple[str, ...]
    unsupported: str = "field label not supported: {label}"
    renamed: tuple[tuple[str, str], ...] = ()

    @mirrors("(*k8s.io/apimachinery/pkg/runtime.Scheme).ConvertFieldLabel",
             "k8s.io/apimachinery/pkg/runtime.DefaultMetaV1FieldSelectorConversion")
    def __call__(self, label: str, value: str) -> tuple[str, str]:
        for old, new in self.renamed:
            if label == old:
                return new, value
        if label not in self.labels:
            raise ValueError(self.unsupported.format(label=label, quoted=quote(label)))
        return label, value


# runtime.DefaultMetaV1FieldSelectorConversion: the conversion of a kind that registers none.
DEFAULT_FIELD_LABEL_CONVERSION = FieldLabelConversion(
    COMMON_FIELDS, '{quoted} is not a known field selector: only "metadata.name", "metadata.namespace"')


@dataclass(frozen=True)
class UpdateMetadataChecks:
    """How often a kind's update strategy checks the new object's metadata, besides the two checks
    rest.BeforeUpdate makes of every kind: its ValidateUpdate calls ValidateObjectMeta `full` times
    (Validate<Kind>(new), and again where Validate<Kind>Update starts with it) and
    ValidateObjectMetaUpdate `update` times. Each call reports a bad label, annotation or owner
    reference again, and the Invalid error lists every report as a cause."""

    full: int = 0
    update: int = 1


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # The name rule of the strategy's ValidateObjectMeta: "subdomain" | "label" | "dns1035" | "path-name";
    # None where the strategy checks no metadata (a core/v1 Event's), leaving BeforeCreate's own check.
    name_validation: str | None = "subdomain"
    # The strategy validates metadata with pkg/apis/core/validation's ObjectMeta functions, which
    # also require a finalizer without a domain to be a standard one; False where it calls
    # apimachinery's directly (leases, RuntimeClasses, webhook configurations, CRDs, APIServices).
    kube_finalizers: bool = True
    update_metadata_checks: UpdateMetadataChecks = UpdateMetadataChecks()
    return_deleted_object: bool = False  # Delete answers with the object, not a Success Status
    status_reset_on_update: bool = False  # an update of the main resource keeps the old .status
    field_selectors: tuple[str, ...] = COMMON_FIELDS  # the selectable fields GetAttrs gives a field selector
    # Which field selector labels a client may use, and what they select (ListResource's transform).
    field_label_conversion: FieldLabelConversion = DEFAULT_FIELD_LABEL_CONVERSION
    watch_index: str = ""  # a field the watch cache files watchers under (the pod registry's TriggerFunc)
    storage_prefix: str = ""  # the etcd key below /registry/ when it is not the plural
    tracks_generation: bool = False  # the strategy bumps metadata.generation on spec changes
    # The strategy's AllowUnconditionalUpdate: an update may leave out the resourceVersion.
    allow_unconditional_update: bool = True
    # The strategy's AllowCreateOnUpdate: a PUT of a missing object creates it.
    allow_create_on_update: bool = False
    # The Warning every request to a deprecated version gets (the installer's deprecation warning).
    deprecation_warning: str = ""
    custom: bool = False  # served from a CustomResourceDefinition: JSON only, no strategic merge patch
    # The verbs discovery lists where not `verbs`: a terminating CRD's resources show no create,
    # update or patch (though updates and patches are still served).
    discovery_verbs: tuple[str, ...] | None = None
    # The group the scheme names the internal type in first (ObjectKinds), where it is not `group`:
    # errors written from the object's kind (NewInvalid, BeforeDelete's) say `Ingress.extensions`,
    # or, for events.k8s.io Events (core Events inside), just `Event`. None: `group`.
    kind_group: str | None = None
    storage_codec: Codec | None = field(default=None, compare=False, hash=False)  # stored in another version
    # That other version's apiVersion (what `storage_codec` writes): "" where etcd holds this one.
    stored_as: str = ""
    # A custom resource's subresources.scale (a customscale.ScalePaths): where its Scale's fields are.
    scale_paths: object | None = field(default=None, compare=False, hash=False)
    validator: Callable[[dict], list[str]] | None = field(default=None, compare=False, hash=False)
    # The decoder's work on a custom object, instead of the kind's SetObjectDefaults: pruning and
    # the defaults of its CRD's schema.
    defaulter: Callable[[dict], None] | None = field(default=None, compare=False, hash=False)
    # The Table columns and row function, for a kind not in `kinds.PRINTERS`.
    printer: tuple | None = field(default=None, compare=False, hash=False)
    # The /openapi/v2 definitions a custom resource publishes (crdopenapi); the built-in kinds'
    # are the kind modules' own.
    openapi_definitions: dict | None = field(default=None, compare=False, hash=False)
    # The definition server-side apply types a custom object by (crdopenapi.apply_schema); None
    # for a built-in kind, or a custom one typed by its values.
    apply_schema: dict | None = field(default=None, compare=False, hash=False)
    # The strategy's Validate beyond `validator`: the rules only a create checks.
    create_validator: Callable[[dict], list[str]] | None = field(default=None, compare=False, hash=False)
    # The strategy's ValidateUpdate in place of `validator(new)`, for a kind whose update rules are not
    # its create rules: they check only what may not change, or tolerate what the stored object had.
    validator_on_update: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False, hash=False)
    update_validator: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False,
                                                                       hash=False)
    # How often the strategy's ValidateUpdate runs `validator` on the new object: twice where it calls
    # Validate<Kind>(new) and Validate<Kind>Update validates the whole object again (ReplicaSets,
    # DaemonSets, ReplicationControllers, PersistentVolumes, the RBAC kinds); each run's errors are
    # causes of the Invalid error again, though its message names each once.
    update_validator_runs: int = 1
    # The kind's strategy beyond the generic one: PrepareForCreate(obj, user), PrepareForUpdate(new, old),
    # run after defaulting and before validation. `user` is the requesting user.Info its context
    # carries, None for the server's own writes.
    prepare_for_create: Callable[[dict, object], None] | None = field(default=None, compare=False, hash=False)
    prepare_for_update: Callable[[dict, dict], None] | None = field(default=None, compare=False, hash=False)
    # The strategy's Canonicalize(obj): what it changes once a create or update has passed validation.
    canonicalize: Callable[[dict], None] | None = field(default=None, compare=False, hash=False)
    # The status strategy's PrepareForUpdate(new, old) beyond keeping the stored spec, for a kind
    # whose status updates reset some of the metadata sent.
    prepare_for_status_update: Callable[[dict, dict], None] | None = field(default=None, compare=False,
                                                                           hash=False)
    # The status strategy's ValidateUpdate(old, new) beyond metadata: Validate<Kind>StatusUpdate.
    validate_status_update: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False,
                                                                             hash=False)
    # A CSR's approval strategy: its PrepareForUpdate(new, old) and ValidateUpdate(old, new).
    prepare_for_approval_update: Callable[[dict, dict], None] | None = field(default=None, compare=False,
                                                                             hash=False)
    validate_approval_update: Callable[[dict, dict], list[str]] | None = field(default=None, compare=False,
                                                                               hash=False)
    # The strategies' GetResetFields by subresource ("" the main resource), each a tuple of field
    # paths, where they are not the generic ones (a main resource resets status, /status resets spec).
    reset_fields: dict | None = field(default=None, compare=False, hash=False)
    # What the status and approval strategies' PrepareForUpdate(new, old) do with the time, given the
    # registry's now: a CSR's populateConditionTimestamps.
    stamp_conditions: Callable[[dict, dict, str], None] | None = field(default=None, compare=False, hash=False)
    # A pod's ephemeralcontainers strategy: its PrepareForUpdate(new, old) and ValidateUpdate(old, new).
    prepare_for_ephemeral_containers_update: Callable[[dict, dict], None] | None = field(
        default=None, compare=False, hash=False)
    validate_ephemeral_containers_update: Callable[[dict, dict], list[str]] | None = field(
        default=None, compare=False, hash=False)
    # What Go's encoding/json writes of the kind's empty object (the strategy's New(), converted to
    # this version) besides kind, apiVersion and metadata.{resourceVersion,creationTimestamp}: the
    # fields without omitempty, at their zero values, and what the conversion fills in.
    zero_value: dict = field(default_factory=dict, compare=False, hash=False)
    # FieldManager.for_resource's managers by subresource, made on first use: kept here so that a
    # Resource dropped (a CRD's, remade on every CRD write) takes its managers with it.
    field_managers: dict = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def storage_api_version(self) -> str:
        return self.stored_as or self.api_version

    @property
    def object_kind_group(self) -> str:
        return self.group if self.kind_group is None else self.kind_group

    @property
    def etcd_prefix(self) -> str:
        return self.storage_prefix or self.plural

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.Cacher).dispatchEvents")
    def bookmark_object(self, revision: int) -> dict:
        """What a BOOKMARK event at `revision` carries: the kind's empty object with its
        resourceVersion set. A custom resource's is an Unstructured map, whose keys Go writes sorted
        and whose metadata has nothing else; a built-in kind's ObjectMeta writes its zero
        creationTimestamp as null."""
        if self.custom:
            return {"apiVersion": self.api_version, "kind": self.kind, "metadata": {"resourceVersion": str(revision)}}
        zero = copy.deepcopy(self.zero_value)
        metadata = {"resourceVersion": str(revision), "creationTimestamp": None, **zero.pop("metadata", {})}
        return {"kind": self.kind, "apiVersion": self.api_version, "metadata": metadata, **zero}

    def metadata_problems(self, obj: dict) -> list[str]:
        """The strategy's ValidateObjectMeta errors of `obj`."""
        if self.name_validation is None:
            return []
        return v.metadata_problems(obj, self.name_validation, core=self.kube_finalizers)

    def validate(self, obj: dict) -> list[str]:
        """Every validation error of `obj`, as `field: Type: detail` strings."""
        return self.metadata_problems(obj) + (self.validator(obj) if self.validator else [])

    def validate_create(self, obj: dict) -> list[str]:
        """`validate(obj)` plus the rules only a create checks."""
        return self.validate(obj) + (self.create_validator(obj) if self.create_validator else [])

    def validate_update(self, old: dict, new: dict) -> list[str]:
        """The metadata rules as often as the strategy checks them, then `validator(new)` or
        `validator_on_update(old, new)`, plus the rules comparing `new` with the stored `old`."""
        checks = self.update_metadata_checks
        problems = checks.full * self.metadata_problems(new) + \
            checks.update * v.metadata_update_problems(new, old, self.kube_finalizers)
        if self.validator_on_update:
            problems += self.validator_on_update(old, new)
        elif self.validator:
            problems += self.update_validator_runs * self.validator(new)
        return problems + (self.update_validator(old, new) if self.update_validator else [])

