"""The REST handlers behind `/api/v1/...` and `/apis/<group>/<version>/...`, sans-IO: each takes a
parsed `Request` (with its `RequestInfo` and authenticated user) and returns a `Response` or, for a
watch, a `WatchResponse` whose chunks the HTTP adapter streams.

What upstream spreads over k8s.io/apiserver/pkg/endpoints/handlers is here in one place: body
decoding (JSON, YAML or Kubernetes protobuf, at most 3 MiB), output negotiation (JSON, a meta.k8s.io
Table when the Accept header asks `as=Table`, protobuf when it takes nothing else), `dryRun=All`,
admission on writes, the three patch types applied inside the registry's GuaranteedUpdate, the
status/binding/scale subresources, pods/log (streamed from the pod's kubelet), and watch events as
JSON lines or protobuf frames. Every failure is a `StatusError` the server turns into a Status body.
"""
from __future__ import annotations

import copy
import functools
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import decoding, discovery, errors, fieldvalidation, listoptions, openapi, protobuf, table
from reference_impl.apiserver.core import eviction, gostruct, podexec, resourceproxy, selectors, tokenrequest
from reference_impl.apiserver.core import jsonserializer, limits, mediatype, scheme, validation, watchframes
from reference_impl.apiserver.core.limits import MAX_REQUEST_BODY_BYTES
from reference_impl.apiserver.core.podexec import UpgradeResponse
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.patch import (PatchError, TooManyOperations, apply_json_patch, apply_merge_patch,
                                                 apply_strategic_merge_patch)
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.lifecycle import pod_binding_problems, rfc3339
from reference_impl.apiserver.core.schemas import META, REF_PREFIX
from reference_impl.apiserver.storage.etcd3 import Preconditions
from reference_impl.apiserver.fieldmanager import FieldManager, manager_or_user_agent
from reference_impl.apiserver.fieldmanager.fieldmanager import FIELD_MANAGER_MAX_LENGTH, unconvertible_apply_result
from reference_impl.apiserver.fieldmanager.typed import Schema
from reference_impl.machinery import fields, gojson, labels, timefmt
from reference_impl.machinery.gofmt import format_v
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.machinery.params import query_bool
from reference_impl.mirrors import mirrors

JSON = "application/json"
APPLY_PATCH = "application/apply-patch+yaml"
JSON_PATCH, MERGE_PATCH = "application/json-patch+json", "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", APPLY_PATCH)
# The crdHandler's: a custom resource has no Go struct, so no patch strategy to merge by.
CUSTOM_RESOURCE_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", APPLY_PATCH)
# Watch events written without a flush while more are queued (WatchServer.ServeHTTP flushes only
# when its channel is empty) go out once this many bytes have gathered, however busy the watch.
WATCH_FLUSH_BYTES = 64 * 1024


@dataclass
class RequestInfo:
    """What a URL asks for, as k8s.io/apiserver/pkg/endpoints/request.RequestInfo spells it."""

    path: str
    verb: str
    is_resource_request: bool = False
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    parts: tuple[str, ...] = ()  # resource/name/subresource/..., what follows the namespace
    special_verb: str = ""  # the verb named by the path's first part (/watch/..., /proxy/...)

    @property
    def under_namespace(self) -> bool:
        """Whether the resource is named after /namespaces/{namespace}/, where only namespaced
        kinds have routes (a namespace's own path, /namespaces/{name}[/status], is not). An empty
        namespace (`/namespaces//pods/x`) is one too: go-restful matches {namespace} to it."""
        segments = self.path.strip("/").split("/")
        before = segments[:len(segments) - len(self.parts)]
        return before[-2:] == ["namespaces", self.namespace]


@dataclass
class Request:
    """One HTTP request as the handler chain sees it; `info` and `user` are filled by the chain."""

    method: str
    path: str
    query: Mapping[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    peer_certificate: dict | None = None
    peer_certificate_der: bytes | None = None
    info: RequestInfo | None = None
    user: Any = None
    warnings: list[str] = field(default_factory=list)  # sent back as `Warning:` headers
    routed: bool = False  # reached a REST route: counted in apiserver_request_total, as upstream instruments routes
    # The endpoint's storage converts to a Table (its RequestScope.TableConvertor is set).
    table_convertor: bool = True
    # The endpoint's objects go out as protobuf (the CRD handler's StandardSerializers have no protobuf).
    protobuf_objects: bool = True
    request_uri: str = ""  # the target as sent (path and query, undecoded); the path when not given
    peer_intermediates_der: tuple[bytes, ...] = ()  # the rest of the chain the client sent, for x509

    @property
    def uri(self) -> str:
        return self.request_uri or self.path

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""

    @property
    def content_length(self) -> int:
        """net/http's Request.ContentLength: the Content-Length sent, -1 (unknown) for a chunked
        body; a request built without either (sans-IO) counts its body, as Go's client sends it."""
        if "chunked" in self.header("Transfer-Encoding").lower():
            return -1
        sent = self.header("Content-Length").strip()
        return int(sent) if sent.isdigit() else len(self.body)


@dataclass
class Response:
    code: int
    body: bytes
    content_type: str = JSON
    warnings: list[str] = field(default_factory=list)
    retry_after_seconds: int = 0  # sent as a `Retry-After:` header
    content_encoding: str = ""  # sent as a `Content-Encoding:` header
    cache_control: str = "no-cache, private"  # what the API's responses must not be cached as
    headers: tuple[tuple[str, str], ...] = ()  # any others (Location, Last-Modified, ...)

    @classmethod
    def json(cls, code: int, obj: Any, pretty: bool = False) -> "Response":
        return cls(code, jsonserializer.encode_response(obj, pretty))


@dataclass
class WatchResponse:
    """A watch stream: `chunks` yields one JSON event line at a time; `stop` ends it from outside
    (client gone, server stopping)."""

    chunks: Iterator[bytes]
    stop: Callable[[], None]
    code: int = 200
    content_type: str = JSON
    warnings: list[str] = field(default_factory=list)  # sent back as `Warning:` headers


@dataclass
class AdmissionRequest:
    """admission.Attributes: the object a write would store, for the admission chain to check or
    change; `obj` is the object admission returns (mutated or not)."""

    operation: str
    resource: Any
    subresource: str
    namespace: str
    name: str
    obj: dict | None
    old_obj: dict | None
    user: Any
    dry_run: bool
    warnings: list[str] = field(default_factory=list)  # the request's own list: plugins add to it
    # The operation's options as the client gave them: CreateOptions', UpdateOptions' or DeleteOptions' fields.
    options: dict = field(default_factory=dict)


# --- request info and negotiation -----------------------------------------------------------

NAMESPACE_SUBRESOURCES = {"status", "finalize"}
SPECIAL_VERBS = ("proxy", "watch")  # a resource path's first part that is the verb instead


class RequestInfoError(ValueError):
    """A resource path that names a special verb and nothing after it."""


@mirrors("(*k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory).NewRequestInfo")
def request_info(method: str, path: str, query: Mapping[str, list[str]]) -> RequestInfo:
    """Parse a URL into group, version, namespace, resource, name, subresource and the k8s verb;
    RequestInfoError for `.../watch` or `.../proxy` with nothing after."""
    info = RequestInfo(path=path, verb=method.lower())
    trimmed = path.strip("/")
    parts = trimmed.split("/") if trimmed else []  # splitPath: an empty segment stays, as "" in its place
    if not parts or parts[0] not in ("api", "apis"):
        return info
    prefix, parts = parts[0], parts[1:]
    if prefix == "apis":
        if len(parts) < 2:
            return info
        group, parts = parts[0], parts[1:]
    else:
        group = ""
    if not parts:
        return info
    version, parts = parts[0], parts[1:]
    if not parts:
        return info
    info.is_resource_request, info.api_prefix, info.api_group, info.api_version = True, prefix, group, version
    # RequestInfoFactory switches on the method as sent: `get` is no GET, and has no verb.
    verb = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete"}.get(method, "")
    if parts[0] in SPECIAL_VERBS:
        if len(parts) < 2:
            raise RequestInfoError("unable to determine kind and namespace from url")
        verb, parts = parts[0], parts[1:]
        info.special_verb = verb
    if parts and parts[0] == "namespaces" and len(parts) > 1:
        info.namespace = parts[1]
        if len(parts) > 2 and parts[2] not in NAMESPACE_SUBRESOURCES:
            parts = parts[2:]
    info.parts = tuple(parts)
    if len(parts) >= 3:
        info.subresource = parts[2]
    if len(parts) >= 2:
        info.name = parts[1]
    if parts:
        info.resource = parts[0]
    if not info.name and verb == "get":
        verb = "watch" if query_bool(query.get("watch")) else "list"
        if _decodes_as_list_options(query):  # else NewRequestInfo drops what it parsed so far
            info.name = _name_required_by(query.get("fieldSelector", [""])[0])
    if not info.name and verb == "delete":
        verb = "deletecollection"
    info.verb = verb
    return info


def _decodes_as_list_options(query: Mapping[str, list[str]]) -> bool:
    """Whether the query's ListOptions parameters decode: selectors that parse, integers that
    are int64s (the booleans and strings always decode)."""
    if any(name in query and int64_problem(query[name][0]) for name in ("limit", "timeoutSeconds")):
        return False
    try:
        labels.parse_label_selector(query.get("labelSelector", [""])[0])
        fields.parse_field_selector(query.get("fieldSelector", [""])[0])
    except labels.SelectorError:
        return False
    return True


def _name_required_by(field_selector: str) -> str:
    """The name a list's or watch's field selector requires (`metadata.name=x`), which NewRequestInfo
    makes the request's name so that RBAC rules limited to resourceNames can allow it; "" when the
    selector does not parse, requires no name, or names no valid path segment."""
    try:
        selector = fields.parse_field_selector(field_selector)
    except fields.SelectorError:
        return ""
    name = next((r.value for r in selector.requirements if r.field == "metadata.name" and r.operator == "="), "")
    return "" if name in (".", "..") or "/" in name or "%" in name else name


def name_field_selector(name: str, field_selector: str) -> str:
    """ListResource's field selector for a list or watch that has a name (the path of one object's
    watch, or a field selector's metadata.name): `metadata.name=NAME` when none is given, else the
    one given, which must select exactly that name (a 400 otherwise)."""
    if not field_selector.strip():
        return f"metadata.name={fields.escape_value(name)}"  # OneTermEqualSelector: no text to parse
    selector = selectors.parse_field_selector(field_selector)
    # RequiresExactMatch: the first metadata.name= term, whatever others follow.
    selected = next((r.value for r in selector.requirements if r.field == "metadata.name" and r.operator == "="), None)
    if selected != name:
        raise errors.bad_request("fieldSelector metadata.name doesn't match requested name")
    return field_selector


@dataclass
class _Clause:
    """One clause of an Accept header, as goautoneg.Accept holds it."""

    type: str
    subtype: str
    q: float = 1.0
    params: dict[str, str] = field(default_factory=dict)

    def before(self, other: "_Clause") -> bool:
        """goautoneg's Less, quirks and all: a higher q, else a concrete type or subtype first."""
        return (self.q > other.q or (self.type != "*" and other.type == "*")
                or (self.subtype != "*" and other.subtype == "*"))


@mirrors("github.com/munnerz/goautoneg.ParseAccept")
def _media_types(accept: str) -> list[tuple[str, dict[str, str]]]:
    """The Accept header's clauses as (type/subtype, params), in goautoneg's order: by q, highest
    first, a q that is no number counting as 0. Case is kept, only spaces are trimmed; a clause
    that is no type/subtype (but `*`) is dropped, as is a parameter that is no key=value."""
    clauses = []
    for part in accept.split(","):
        media, *params = part.strip(" ").split(";")
        kind = media.split("/")
        if len(kind) > 2 or (len(kind) == 1 and kind[0].strip(" ") != "*"):
            continue
        clause = _Clause(kind[0].strip(" "), kind[1].strip(" ") if len(kind) == 2 else "*")
        for param in params:
            pair = param.split("=")
            if len(pair) != 2:
                continue
            key = pair[0].strip(" ")
            if key == "q":
                clause.q = _go_parse_float(pair[1])
            else:
                clause.params[key] = pair[1].strip(" ")
        clauses.append(clause)
    for i in range(1, len(clauses)):  # sort.Sort of a few clauses: an insertion sort
        j = i
        while j > 0 and clauses[j].before(clauses[j - 1]):
            clauses[j], clauses[j - 1] = clauses[j - 1], clauses[j]
            j -= 1
    return [(f"{c.type}/{c.subtype}", c.params) for c in clauses]


def _go_parse_float(text: str) -> float:
    """strconv.ParseFloat's value, 0 where it refuses the text."""
    try:
        return float(text) if text.strip() == text and "_" not in text else 0.0
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class MediaTypeOptions:
    """negotiation.MediaTypeOptions with the serializer chosen ("json", "yaml" or "protobuf") and
    the meta.k8s.io kind an `as=` parameter converts the response to ("" for none)."""

    serializer: str
    convert: str = ""
    version: str = "v1"
    pretty: bool = False  # the media type's pretty=1


SERIALIZERS = ((JSON, "json"), ("application/yaml", "yaml"), (protobuf.MEDIA_TYPE, "protobuf"))
# MediaTypesForSerializer's stream media types: YAML has no stream serializer, so no watch in YAML.
STREAM_MEDIA_TYPES = (JSON + ";stream=watch", protobuf.MEDIA_TYPE + ";stream=watch")
CONVERSIONS = ("Table", "PartialObjectMetadata", "PartialObjectMetadataList")


# Clients' Accept headers are short; a longer one (up to the 1 MiB a header may take, even
# unauthenticated) is worked out each time rather than pinned in the cache.
_CACHED_ACCEPT_LENGTH = 1024


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.NegotiateOutputMediaType",
         "(*k8s.io/apiserver/pkg/endpoints/handlers.RequestScope).AllowsMediaTypeTransform")
def negotiate(accept: str, tables: bool = True, conversions: bool = True,
              protobuf_objects: bool = True) -> MediaTypeOptions:
    """`_negotiate`, from the cache for an Accept header of ordinary length."""
    if len(accept) > _CACHED_ACCEPT_LENGTH:
        return _negotiate.__wrapped__(accept, tables, conversions, protobuf_objects)
    return _negotiate(accept, tables, conversions, protobuf_objects)


# An answer depends only on the arguments, and clients send a handful of Accept headers: each is
# worked out once (a refusal raises again each time) instead of at every request, several a pod.
@functools.lru_cache(maxsize=256)
def _negotiate(accept: str, tables: bool = True, conversions: bool = True,
               protobuf_objects: bool = True) -> MediaTypeOptions:
    """The first Accept clause a serializer takes (JSON, YAML, protobuf, in that order, for a
    wildcard), with its meta.k8s.io conversion (a Table only as JSON or YAML, and only where
    `tables`, the endpoint has a TableConvertor; none without `conversions`, as
    DefaultEndpointRestrictions allows none); 406 when none does. The components' `protobuf, json`
    gets protobuf, as from kube-apiserver 1.24; without `protobuf_objects` protobuf serves only a
    conversion (AllowsMediaTypeTransform keeps the rest to the StandardSerializers)."""
    if not accept.strip():
        return MediaTypeOptions("json")
    for kind, params in _media_types(accept):
        for media_type, serializer in SERIALIZERS:
            if kind not in (media_type, "application/*", "*/*"):
                continue
            options = _accepted(serializer, params, tables, conversions, protobuf_objects)
            if options is not None:
                return options
    raise StatusError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                                            "application/yaml, application/vnd.kubernetes.protobuf")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.acceptMediaTypeOptions")
def _accepted(serializer: str, params: dict[str, str], tables: bool, conversions: bool,
              protobuf_objects: bool) -> MediaTypeOptions | None:
    """The options of one clause a serializer matches, or None when the endpoint refuses them: a
    stream other than a watch (YAML has none), a server version (`sv`) other than meta's v1 (the
    discovery endpoints take none), or any of `as`, `g` and `v` that does not name a conversion
    the endpoint makes: `g=meta.k8s.io;v=v1` without `as` converts to no kind at all."""
    if params.get("stream") and (serializer == "yaml" or params["stream"] != "watch"):
        return None
    if params.get("sv") and (not conversions or params["sv"] != "v1"):
        return None
    pretty = params.get("pretty") == "1"
    if not {"as", "g", "v"} & params.keys():
        if serializer == "protobuf" and not protobuf_objects:
            return None
        return MediaTypeOptions(serializer, pretty=pretty)
    kind = params.get("as", "")
    if conversions and kind in CONVERSIONS and params.get("g") == "meta.k8s.io" \
            and params.get("v") in ("v1", "v1beta1") \
            and (kind != "Table" or (tables and serializer != "protobuf")):
        return MediaTypeOptions(serializer, kind, params["v"], pretty)
    return None


def negotiate_for(request: Request) -> MediaTypeOptions:
    """`negotiate` with the restrictions of the endpoint the request reached."""
    return negotiate(request.header("Accept"), tables=request.table_convertor,
                     protobuf_objects=request.protobuf_objects)


def has_table_convertor(resource, subresource: str) -> bool:
    """Whether a route's storage converts to a Table: every kind's own, and a custom resource's
    status (the CRD handler's StatusREST has its store's convertor); no built-in kind's
    subresource storage (status, scale, ephemeralcontainers, ...) has one."""
    return not subresource or (resource.custom and subresource == "status")


ROUTE_MEDIA_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
LOG_MEDIA_TYPES = ("text/plain", *ROUTE_MEDIA_TYPES)  # LogREST.ProducesMIMETypes adds text/plain


@mirrors("(github.com/emicklei/go-restful.Route).matchesAccept")
def route_accepts(accept: str, produces: tuple[str, ...]) -> bool:
    """Whether go-restful finds a route for `accept`: some entry of it, parameters cut off and
    spaces trimmed, is */* or exactly (case and all) a type the route produces. The serializer's
    own negotiation, with its wildcards, comes only after."""
    for entry in (accept or "*/*").split(","):
        media_type = entry.split(";", 1)[0].strip(" ")
        if media_type == "*/*" or media_type in produces:
            return True
    return False


GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")  # what strconv.ParseBool reads as true
PRETTY_USER_AGENTS = ("curl", "Wget", "Mozilla/5.0")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.isPrettyPrint")
def is_pretty_print(request: Request) -> bool:
    """Whether a JSON answer is indented: as the `pretty` parameter says when it has a value,
    else for a browser, curl or wget."""
    if pretty := request.param("pretty"):
        return pretty in GO_TRUE
    return request.header("User-Agent").startswith(PRETTY_USER_AGENTS)


def negotiate_without_protobuf(request: Request) -> MediaTypeOptions | None:
    """What the client takes besides protobuf (JSON or YAML, as `negotiate` orders them) for an
    object our protobuf layouts cannot carry; None when it takes nothing else or wants a conversion."""
    try:
        options = negotiate(request.header("Accept"), tables=request.table_convertor, protobuf_objects=False)
    except StatusError:
        return None
    return None if options.serializer == "protobuf" or options.convert else options


def _respond(request: Request, code: int, obj: dict) -> Response:
    """The object in the media type negotiated: JSON, YAML or protobuf. An object our protobuf
    layouts cannot carry (upstream's always can) goes to a client that also takes JSON or YAML
    in that, which client-go decodes by the response's Content-Type; to one that takes protobuf
    alone it is a 406 naming the field, never a body it did not ask for."""
    options = negotiate_for(request)
    if options.serializer == "protobuf":
        try:
            return Response(code, protobuf.encode(obj), protobuf.MEDIA_TYPE)
        except protobuf.ProtobufError as err:
            options = negotiate_without_protobuf(request)
            if options is None:
                raise StatusError(406, "NotAcceptable", f"cannot encode the response as protobuf: {err}") from err
    if options.serializer == "yaml":
        return Response(code, jsonserializer.encode_yaml(obj), "application/yaml")
    return Response.json(code, obj, options.pretty or is_pretty_print(request))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.GetResource",
         "k8s.io/apimachinery/pkg/runtime.Convert_Slice_string_To_bool")
def check_export(request: Request) -> None:
    """A get of one object refuses `export`, removed in 1.18: any value but false or 0 (an empty
    one too) is a 400. Lists never read it."""
    values = request.query.get("export")
    if values and values[0] != "0" and values[0].lower() != "false":
        raise errors.bad_request("the export parameter, deprecated since v1.14, is no longer supported")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.optionsForTransform")
def table_options(request: Request, options: MediaTypeOptions) -> str:
    """The includeObject of a Table conversion ("Metadata" when unset); a 400 for a value
    ValidateTableOptions refuses."""
    include = request.param("includeObject")
    if options.convert == "Table" and (problem := table.include_object_problem(include)):
        raise errors.bad_request(f"Unable to convert to Table as requested: {problem}")
    return include or "Metadata"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.ErrorNegotiated")
def error_response(request: Request, failure: StatusError) -> Response:
    """The failure's Status as YAML or protobuf for a client that negotiates it, else as JSON
    (indented, as WriteRawJSON writes it, when no Accept clause is served without a conversion),
    with a Retry-After header when the Status suggests a delay."""
    try:
        options = negotiate(request.header("Accept"), conversions=False)
    except StatusError:  # WriteRawJSON: indented
        options = MediaTypeOptions("json", pretty=True)
    if options.serializer == "yaml":
        response = Response(failure.code, jsonserializer.encode_yaml(failure.status()), "application/yaml")
    elif options.serializer == "protobuf":
        response = Response(failure.code, protobuf.encode(failure.status()), protobuf.MEDIA_TYPE)
    else:
        response = Response.json(failure.code, failure.status(), options.pretty or is_pretty_print(request))
    response.retry_after_seconds = failure.details.get("retryAfterSeconds", 0)
    return response


def _go_type(resource, list_type: bool, obj: dict | None = None) -> str:
    """How Go's %T names the internal type of `resource`'s objects (`*core.ConfigMapList`), or of
    `obj`, which a subresource may answer with (`*autoscaling.Scale`); a custom resource's are
    unstructured."""
    if resource.custom:
        if obj is not None and obj.get("kind") == "Scale":
            return "*v1.Scale"  # the CRD handler's scale is autoscaling/v1's own type, no internal one
        return f"*unstructured.Unstructured{'List' if list_type else ''}"
    group, kind = resource.group, resource.kind
    if obj is not None:
        group, kind = obj.get("apiVersion", "").rpartition("/")[0], obj.get("kind", kind)
    package = "core" if group in ("", "events.k8s.io") else group.split(".")[0]
    return f"*{package}.{kind}{'List' if list_type else ''}"


@mirrors("(k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.unstructuredJSONScheme).doEncode")
def as_unstructured_list(obj: dict) -> dict:
    """A list of custom objects as an UnstructuredList is written: one map, its keys sorted
    (apiVersion, items, kind, metadata), its metadata a map too."""
    listed = {key: obj[key] for key in sorted(obj)}
    if isinstance(listed.get("metadata"), dict):
        listed["metadata"] = {key: listed["metadata"][key] for key in sorted(listed["metadata"])}
    return listed


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.asPartialObjectMetadata",
         "k8s.io/apiserver/pkg/endpoints/handlers.asPartialObjectMetadataList")
def as_partial_object_metadata(obj: dict, options: MediaTypeOptions, resource) -> dict:
    """Only the metadata of the object, or of each item of the list, as meta.k8s.io's
    PartialObjectMetadata(List); asking for the one when the answer is the other is a 406."""
    api_version = f"meta.k8s.io/{options.version}"
    is_list = "items" in obj
    if options.convert == "PartialObjectMetadata":
        if is_list:
            raise StatusError(406, "NotAcceptable", "you requested PartialObjectMetadata, but the requested object "
                                                    f"is a list ({_go_type(resource, True)})")
        return table.partial_metadata(obj, options.version, resource.custom)
    if not is_list and resource.custom and obj.get("kind") != "Scale":
        # What upstream's list accessor says of an unstructured object, answered there as a 500:
        # a client's mistake is a 406 here, in the same words.
        raise StatusError(406, "NotAcceptable", "content is not a list")
    if not is_list:
        raise StatusError(406, "NotAcceptable", "you requested PartialObjectMetadataList, but the requested object "
                                                f"is not a list ({_go_type(resource, False, obj)})")
    list_meta = {key: value for key, value in (obj.get("metadata") or {}).items()
                 if key in ("selfLink", "resourceVersion", "continue")}
    # Go appends to a nil slice, so no items is null.
    items = [table.partial_metadata(item, options.version, resource.custom) for item in obj["items"]] or None
    return {"kind": "PartialObjectMetadataList", "apiVersion": api_version, "metadata": list_meta, "items": items}


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.transformObject")
def check_stream_conversion(options: MediaTypeOptions) -> None:
    """406 for a stream (pods/log's rest.LocationStreamer) asked for as meta.k8s.io metadata:
    transformObject converts what Get returned before the stream is opened, and a streamer is no
    list and has no ObjectMeta. Upstream answers PartialObjectMetadata with meta.Accessor's error
    as a 500; a client's mistake is a 406 here, in the same words."""
    if options.convert == "PartialObjectMetadataList":
        raise StatusError(406, "NotAcceptable", "you requested PartialObjectMetadataList, but the requested object "
                                                "is not a list (*rest.LocationStreamer)")
    if options.convert == "PartialObjectMetadata":
        raise StatusError(406, "NotAcceptable", "object does not implement the Object interfaces")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.NegotiateInputSerializerForMediaType")
def media_type_of(request: Request) -> str:
    """The body's media type, JSON when there is no Content-Type; "" (none a serializer takes) for
    a header mime.ParseMediaType refuses, such as `application/json;;`."""
    header = request.header("Content-Type")
    if not header:
        return JSON
    try:
        return mediatype.parse_media_type(header)[0]
    except mediatype.MediaTypeError:
        return ""


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.PatchResource")
def patch_type_of(request: Request) -> str:
    """The patch type, as PatchResource reads it: the Content-Type up to its first ';', as written."""
    header = request.header("Content-Type")
    return header[:header.index(";")] if header.find(";") > 0 else header


# How often a PUT or an apply that found no object, and then lost its create to another
# client's, goes back to updating the object that client made. GuaranteedUpdate retries without
# a bound; a few rounds are plenty when every round sees the object exist.
CREATE_RACE_RETRIES = 8


@mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).GuaranteedUpdate")
def created_meanwhile(err: StatusError, name: str) -> bool:
    """Whether a create on update failed because another client created the object since it was
    found missing. GuaranteedUpdate's transaction then fails its ModRevision==0 comparison and the
    loop runs again on the object it got back, as an update: never a 409 AlreadyExists."""
    return err.reason == "AlreadyExists" and err.details.get("name") == name


# How reflect names the anonymous struct SimpleMetaFactory.Interpret unmarshals a body into.
TYPE_META_STRUCT = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.limitedReadBody")
def check_body_size(request: Request) -> None:
    """413 for a body past the 3 MiB the server reads."""
    if len(request.body) > MAX_REQUEST_BODY_BYTES:
        raise errors.request_entity_too_large(f"limit is {MAX_REQUEST_BODY_BYTES}")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.NegotiateInputSerializer")
def negotiate_input(request: Request) -> None:
    """createHandler's 415 for a Content-Type no serializer decodes, then limitedReadBody's 413: both
    before it reads the CreateOptions (whose 422 would else come first)."""
    serializers = (JSON, "application/yaml", protobuf.MEDIA_TYPE)
    if media_type_of(request) not in serializers:
        raise errors.unsupported_media_type(serializers)
    check_body_size(request)


def decode_body(request: Request, allow_patch: bool = False, max_depth: int = decoding.MAX_PROCESSED_DEPTH,
                into_kind: str = "", custom=None, into_api_version: str = "",
                into_struct: bool = False, prune_to: dict | None = None) -> tuple[Any, str]:
    """The request body decoded from JSON, YAML or protobuf, and its media type; 413, 415 or 400
    otherwise. JSON may nest up to `max_depth` (a caller that prunes the value to its kind's schema
    takes upstream's 10,000), or with `prune_to`, the schema of the struct it decodes into, up to
    10,000 inside the fields that struct does not have. A create or update names `into_kind`, the
    kind its body must be (and `into_api_version`, the endpoint's, which a protobuf envelope may
    leave out), and the `custom` resource it writes, if it is one; a built-in kind's JSON, or one
    decoded `into_struct`, keeps every value of a key written twice (decoding.RepeatedKeys)."""
    check_body_size(request)
    if prune_to is not None:
        max_depth = decoding.MAX_JSON_DEPTH
    media_type = patch_type_of(request) if allow_patch else media_type_of(request)
    serializers = (JSON, "application/yaml", protobuf.MEDIA_TYPE)
    if media_type not in serializers + (PATCH_TYPES if allow_patch else ()):
        raise errors.unsupported_media_type(serializers)
    if media_type == protobuf.MEDIA_TYPE and into_kind and custom is not None and request.body:
        raise custom_protobuf_error(request.body, into_kind, custom.api_version)
    if media_type == protobuf.MEDIA_TYPE and into_kind and request.body:
        return decode_protobuf(request.body, into_kind, into_api_version or SUBRESOURCE_API_VERSIONS.get(into_kind, "")), \
            media_type
    try:
        if media_type == "application/yaml":
            value = decoding.decode_yaml(request.body, max_depth)
        elif media_type == protobuf.MEDIA_TYPE:
            return protobuf.decode(request.body), media_type
        else:
            value = decoding.decode_json(request.body, max_depth,
                                         into_struct=into_struct or (bool(into_kind) and custom is None))
        if prune_to is not None and len(request.body) > 2 * decoding.MAX_PROCESSED_DEPTH:
            value = fieldvalidation.within_processed_depth(value, prune_to)
    except ValueError as err:
        # The patchers read the body themselves: DecodePatch and the strategic patcher answer with
        # encoding/json's syntax error, MergePatch with evanphx's ErrBadJSONPatch.
        problem = gojson.syntax_error(request.body) if media_type in PATCH_TYPES else None
        if problem is None and media_type in PATCH_TYPES and str(err).startswith("json: exceeded max depth"):
            problem = gojson.max_depth_error(request.body, decoding.MAX_JSON_DEPTH)
        if problem:
            raise errors.bad_request("Invalid JSON Patch" if media_type == "application/merge-patch+json"
                                     else problem) from err
        if custom is not None and media_type == JSON and str(err).startswith("json: cannot unmarshal number") \
                and gojson.syntax_error(request.body) is None:
            # Good JSON, so Interpret read its apiVersion and kind: the map refused a number.
            value = decoding.decode_type_meta_json(request.body)
            try:
                type_meta = scheme.interpret(value) if isinstance(value, dict) else ("", "")
            except scheme.DecodeError as interpreted:
                raise transform_decode_error(into_kind, interpreted.problem, request.body) from err
            raise cannot_be_handled(custom, *type_meta, str(err)) from err
        problem = decoder_error(request.body, media_type, err)
        if into_kind:
            raise transform_decode_error(into_kind, problem, request.body) from err
        raise errors.bad_request(problem) from err
    if into_kind and value is not None and not isinstance(value, dict):
        # SimpleMetaFactory.Interpret reads apiVersion and kind by unmarshalling into a struct.
        raise transform_decode_error(into_kind, "couldn't get version/kind; json parse error: "
                                     + gojson.type_error(gojson.type_name(value), TYPE_META_STRUCT),
                                     request.body)
    return value, media_type


# The group/version a subresource's body defaults to when its protobuf envelope leaves it out.
SUBRESOURCE_API_VERSIONS = {"Binding": "v1", "Eviction": "policy/v1", "Scale": "autoscaling/v1",
                            "TokenRequest": "authentication.k8s.io/v1"}


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler",
         "k8s.io/apiserver/pkg/endpoints/handlers.transformDecodeError")
def decode_protobuf(body: bytes, into_kind: str, into_api_version: str) -> dict:
    """A protobuf body decoded into `into_kind`: the envelope's apiVersion and kind default to the
    endpoint's. A body whose envelope does not read is unrecognized (with its first bytes); one
    whose object does not is named by the kind and version its envelope gave, as a kind the scheme
    does not know is (decode_as words that, for the object's type meta alone)."""
    try:
        return protobuf.decode(body, (into_api_version, into_kind) if into_api_version else None)
    except protobuf.ObjectError as err:
        if not err.kind:
            raise transform_decode_error(into_kind, str(err), body) from None
        if err.no_layout and into_api_version:
            group, _, version = into_api_version.rpartition("/")
            decode_as({"apiVersion": err.api_version, "kind": err.kind},
                      scheme.GroupVersionKind(group, version, into_kind), body)
        version = err.api_version.rpartition("/")[2]
        raise errors.bad_request(f"{err.kind} in version {gojson.quote(version)} cannot be handled as a "
                                 f"{into_kind}: {err}") from None
    except protobuf.ProtobufError as err:
        raise transform_decode_error(into_kind, str(err), body) from None


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.DeleteResource")
def protobuf_delete_options(body: bytes) -> dict:
    """A delete's protobuf body: a meta.k8s.io/v1 DeleteOptions unless its envelope says another
    kind, which the meta scheme must know. DeleteResource hands the codec's error to scope.err
    as it is, a 500 upstream for a client's mistake: a 400 here, in the same words."""
    default = (scheme.DELETE_OPTIONS.group_version, scheme.DELETE_OPTIONS.kind)
    try:
        api_version, kind = protobuf.envelope_kind(body, default)
        scheme.META_SCHEME.decode({"apiVersion": api_version, "kind": kind}, scheme.DELETE_OPTIONS,
                                  scheme.DELETE_OPTIONS)
        return protobuf.decode(body, default)
    except scheme.DecodeError as err:
        raise errors.bad_request(err.problem) from None
    except protobuf.ProtobufError as err:
        raise errors.bad_request(str(err)) from None


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/protobuf.Serializer).Decode")
def custom_protobuf_error(body: bytes, into_kind: str, into_api_version: str) -> StatusError:
    """What a custom resource's create or update answers a protobuf body: its codec reads the
    envelope, then asks the kind of the empty Unstructured it decodes into, which has none; the
    error names the kind and version of the envelope (defaulting to the endpoint's)."""
    try:
        api_version, kind = protobuf.envelope_kind(body, (into_api_version, into_kind))
    except protobuf.ProtobufError as err:
        return transform_decode_error(into_kind, str(err), body)
    return errors.bad_request(f"{kind} in version {gojson.quote(api_version.rpartition('/')[2])} cannot be handled "
                              f"as a {into_kind}: Object 'Kind' is missing in 'object has no kind field '")


def decoder_error(body: bytes, media_type: str, err: ValueError) -> str:
    """What the serializer's Decode says of a body it cannot read: the JSON serializer's
    SimpleMetaFactory.Interpret wraps encoding/json's syntax error, the protobuf serializer
    refuses an empty body before looking for its prefix."""
    if media_type == "application/yaml":
        return str(err)
    if media_type == protobuf.MEDIA_TYPE:
        return "empty data" if not body else str(err)
    if str(err).startswith("json: exceeded max depth"):  # Interpret's encoding/json scans the whole text first
        return f"couldn't get version/kind; json parse error: {gojson.max_depth_error(body, decoding.MAX_JSON_DEPTH)}"
    return f"couldn't get version/kind; json parse error: {gojson.syntax_error(body) or err}"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.transformDecodeError",
         "k8s.io/apiserver/pkg/endpoints/handlers.summarizeData")
def transform_decode_error(kind: str, problem: str, body: bytes) -> StatusError:
    """A 400 naming the kind the body must be, the decoder's error and the body's first 30 bytes:
    as text when it starts with `{`, else in hex."""
    if not body:
        summary = "<empty>"
    else:
        summary = body[:30].decode("utf-8", "replace") if body.startswith(b"{") else body[:30].hex()
        summary += " ..." if len(body) > 30 else ""
    return errors.bad_request(f"the object provided is unrecognized (must be of type {kind}): {problem} ({summary})")


def check_kind(obj: dict | None, resource) -> dict:
    """The decoded body must be an object of the resource's kind and version (or leave them out);
    null decodes into the kind's struct as no fields at all. (A built-in kind's create, update and
    JSON or merge patch have the codec's own checks first: `decode_object`, `decode_patched`.)"""
    if obj is None:
        obj = {}
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version and api_version != resource.api_version:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected "
                                 f"API version ({resource.api_version})")
    if kind and kind != resource.kind and not resource.custom:  # a custom object's is validation's to refuse
        raise errors.bad_request(f'no kind "{kind}" is registered for version "{resource.api_version}"')
    obj.setdefault("apiVersion", resource.api_version)
    obj.setdefault("kind", resource.kind)
    if obj.get("metadata") is None:  # encoding/json leaves a struct alone for a null
        obj["metadata"] = {}
    metadata = obj["metadata"]
    if not isinstance(metadata, dict):
        problem = gojson.type_error(gojson.type_name(metadata), "v1.ObjectMeta", f"{resource.kind}.metadata")
        raise fieldvalidation.UndecodableError(
            f'{resource.kind} in version "{resource.version}" cannot be handled as a {resource.kind}: {problem}',
            problem, fieldvalidation.conversion_problem(metadata, {"$ref": REF_PREFIX + META + "ObjectMeta"},
                                                        "v1.ObjectMeta"))
    return obj


def _decoded_as(obj: dict, resource) -> dict:
    """`obj` once the codec has made it the resource's kind: its apiVersion and kind are the kind's."""
    fields = {key: value for key, value in obj.items() if key.lower() not in ("apiversion", "kind")}
    decoded = {"apiVersion": resource.api_version, "kind": resource.kind, **fields}
    if isinstance(obj, decoding.RepeatedKeys):  # what a key written twice shadowed, for the struct's checks
        decoded = decoding.RepeatedKeys(decoded)
        decoded.shadowed = obj.shadowed
    return check_kind(decoded, resource)


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler",
         "k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource")
def decode_object(obj: dict | None, media_type: str, resource, body: bytes) -> dict:
    """A create's or update's body as the codec decodes it into the resource's kind, defaulting
    what it leaves out to the endpoint's group/version/kind. What the codec refuses is
    transformDecodeError's 400 (naming what the body said it was, when it could be read); a body of
    the kind in another version converts, but the endpoint takes only its own."""
    if resource.custom:
        return _decoded_unstructured(obj, resource, body, media_type)
    obj = {} if obj is None else obj
    gvk = decode_as(obj, scheme.GroupVersionKind(resource.group, resource.version, resource.kind), body)
    if gvk.group_version != resource.api_version:  # RequestScope.AcceptsGroupVersion
        # ...asked once the codec has decoded the body in its own version: a field of the wrong
        # type there is the decoder's 400 first.
        problem = _struct_problem(obj, gvk)
        if problem:
            raise errors.bad_request(f"{gvk.kind} in version {gojson.quote(gvk.version)} cannot be handled as a "
                                     f"{resource.kind}: {problem}")
        raise errors.bad_request(f"the API version in the data ({gvk.group_version}) does not match the expected "
                                 f"API version ({resource.api_version})")
    return _decoded_as(obj, resource)


@mirrors("(*k8s.io/apimachinery/pkg/runtime/serializer/json.Serializer).Decode",
         "(k8s.io/apimachinery/pkg/apis/meta/v1/unstructured.unstructuredJSONScheme).Decode")
def _decoded_unstructured(obj: dict | None, resource, body: bytes, media_type: str = JSON) -> dict:
    """A custom object's create or update body as the JSON serializer decodes it into an
    Unstructured: Interpret's apiVersion and kind (its errors transformDecodeError's summary),
    then the map, which must hold a kind of its own (a 400 quoting the body: the JSON a YAML body
    became), and, for the strategy's ObjectKinds in BeforeCreate and BeforeUpdate, an apiVersion
    (a 500 when it has none)."""
    value = {} if obj is None else obj
    try:
        api_version, kind = scheme.interpret(value)
    except scheme.DecodeError as err:
        raise transform_decode_error(resource.kind, err.problem, body) from None
    if not isinstance(value.get("kind"), str) or not value["kind"]:
        data = body.decode("utf-8", "replace") if media_type == JSON else gojson.marshal(obj, sort_keys=True).decode()
        raise cannot_be_handled(resource, api_version, kind, f"Object 'Kind' is missing in '{data}'")
    if not isinstance(value.get("apiVersion"), str) or not value["apiVersion"]:
        # BeforeCreate/BeforeUpdate cannot tell the object's kind: a 500 upstream for a client's
        # mistake, a 400 here in its words.
        raise errors.bad_request("Object 'apiVersion' is missing in 'object has no apiVersion field'")
    return check_kind(value, resource)


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.transformDecodeError")
def cannot_be_handled(resource, api_version: str, kind: str, problem: str) -> StatusError:
    """transformDecodeError's 400 once the serializer has read the body's apiVersion and kind
    (filled from the endpoint's where it leaves them out): the map it decodes them into refused it."""
    actual = scheme.with_defaults(scheme.from_api_version_and_kind(api_version, kind),
                                  scheme.GroupVersionKind(resource.group, resource.version, resource.kind))
    return errors.bad_request(f"{actual.kind} in version {gojson.quote(actual.version)} cannot be handled as a "
                              f"{resource.kind}: {problem}")


def decode_as(obj: dict, into: scheme.GroupVersionKind, body: bytes) -> scheme.GroupVersionKind:
    """What the codec decodes `obj` as when it must become `into`'s kind (its group/version/kind
    filling what `obj` leaves out); transformDecodeError's 400 for what it refuses."""
    try:
        return scheme.for_group(into.group).decode(obj, into, into)
    except scheme.DecodeError as err:
        if err.gvk is None:
            raise transform_decode_error(into.kind, err.problem, body) from None
        problem = _codec_problem(obj, err)
        raise errors.bad_request(f"{err.gvk.kind} in version {gojson.quote(err.gvk.version)} cannot be handled "
                                 f"as a {into.kind}: {problem}") from None


def _codec_problem(obj: dict, err: scheme.DecodeError) -> str:
    """What the codec says of `obj` it could not decode: it decodes a body into the struct of the
    kind it says it is before it converts, so that struct's error comes first; a kind its scheme
    does not register it decodes into nothing, and says so."""
    registered = err.gvk is not None and not isinstance(err, scheme.NotRegistered)
    return (_struct_problem(obj, err.gvk) if registered else None) or err.problem


def _struct_problem(obj: dict, gvk: scheme.GroupVersionKind) -> str | None:
    """encoding/json's error for `obj` in the Go struct of what it says it is, which the codec
    decodes it into before it converts (a Scale with `replicas: "2"` sent to a pod's status)."""
    try:
        # copy.deepcopy keeps what a key written twice shadowed (decoding.RepeatedKeys) for its checks.
        fieldvalidation.decode_into_kind(gvk.group, gvk.version, gvk.kind, copy.deepcopy(obj))
    except fieldvalidation.UndecodableError as err:
        return err.problem
    return None


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers.jsonPatcher).applyPatchToCurrentObject")
def decode_patched(patched: dict, resource) -> dict:
    """The result of a JSON or merge patch as DecodeInto decodes it into the internal type: with no
    default version, so an apiVersion left empty decodes into the internal type itself, which embeds
    ObjectMeta with no json name (its fields would be top-level ones; `metadata` is nothing to it).
    What the codec refuses is invalid."""
    into = scheme.GroupVersionKind(resource.group, resource.version, resource.kind)
    try:
        gvk = scheme.for_group(resource.group).decode(patched, into, None)
    except scheme.DecodeError as err:
        raise undecodable_patch_result(patched, err.problem) from None
    if gvk.version == scheme.INTERNAL_VERSION:
        object_meta = openapi.definitions()[META + "ObjectMeta"]["properties"]
        patched = {**patched, "metadata": {key: value for key, value in patched.items() if key in object_meta}}
    return _decoded_as(patched, resource)


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers.jsonPatcher).applyPatchToCurrentObject")
def decode_custom_patched(patched: dict, resource) -> dict:
    """The result of a JSON or merge patch of a custom resource as the unstructured codec decodes
    it: an apiVersion or kind that is no string is invalid, in SimpleMetaFactory.Interpret's words;
    one without a kind is invalid as the unstructured scheme's MissingKind. One without an
    apiVersion is a 500 upstream (BeforeUpdate cannot tell its kind), a client's mistake: a 400
    here in its words."""
    try:
        scheme.interpret(patched)
    except scheme.DecodeError as err:
        raise undecodable_patch_result(patched, err.problem) from None
    if not patched.get("kind"):
        data = gojson.marshal(patched, sort_keys=True).decode("utf-8", "surrogatepass")
        raise undecodable_patch_result(patched, f"Object 'Kind' is missing in '{data}'")
    if not patched.get("apiVersion"):
        raise errors.bad_request("Object 'apiVersion' is missing in 'object has no apiVersion field'")
    return check_kind(patched, resource)


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.strategicPatchObject")
def converted_patch_result(patched: dict, resource) -> dict:
    """A strategic merge patch's result as the unstructured converter fills the kind's struct: the
    conversion back to the internal version goes by the struct's type, not what its TypeMeta says,
    so a string apiVersion or kind is the resource's whatever the patch set (one of another JSON
    type is left to the decoder, which refuses it as the converter does); an integer too big for
    its field keeps the bits that fit."""
    for key, value in (("apiVersion", resource.api_version), ("kind", resource.kind)):
        if isinstance(patched.get(key, ""), str):
            patched[key] = value
    fieldvalidation.convert_integers(resource.group, resource.version, resource.kind, patched)
    if isinstance(patched["apiVersion"], str) and isinstance(patched["kind"], str):
        return check_kind(patched, resource)
    return patched


@mirrors("k8s.io/apiserver/pkg/registry/rest.EnsureObjectNamespaceMatchesRequestNamespace")
def ensure_namespace(obj: dict, namespace: str) -> None:
    """A namespaced object takes the URL's namespace when it names none; another one is 400."""
    if namespace and obj["metadata"].setdefault("namespace", namespace) != namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.checkName")
def check_name(obj: dict, name: str, namespace: str) -> None:
    """The object an update sends or a patch makes names the URL's object: an object without a
    name does not; a namespace, when it has one, must be the URL's."""
    metadata = obj["metadata"]
    if not metadata.get("name"):  # the namer's ObjectName finds none
        raise errors.bad_request(f"the name of the object ({name} based on URL) was undeterminable: name must be "
                                 "provided")
    if metadata.get("name", "") != name:
        raise errors.bad_request(f"the name of the object ({metadata.get('name', '')}) does not match the name "
                                 f"on the URL ({name})")
    if namespace and metadata.get("namespace") and metadata["namespace"] != namespace:
        raise errors.bad_request(f"the namespace of the object ({metadata['namespace']}) does not match the "
                                 f"namespace on the request ({namespace})")


DUPLICATE_OWNER_REFERENCES = (".metadata.ownerReferences contains duplicate entries{}; API server dedups owner "
                              "references in 1.20+, and may reject such requests as early as 1.24; please fix your "
                              "requests; duplicate UID(s) observed: {}")


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.dedupOwnerReferencesAndAddWarning",
         "k8s.io/apiserver/pkg/endpoints/handlers.dedupOwnerReferences")
def dedup_owner_references(obj: object, warnings: list[str], after_mutating_admission: bool) -> None:
    """Drop each owner reference equal to an earlier one (same uid, and every field the same), with
    a warning naming their uids. Creates and updates dedup before mutating admission and after it,
    patches only after it; the second warning says so."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    references = meta.get("ownerReferences") if isinstance(meta, dict) else None
    if not isinstance(references, list):
        return
    kept, duplicates, seen = [], [], set()
    for reference in references:
        fields = {k: v for k, v in reference.items() if v is not None} if isinstance(reference, dict) else reference
        uid = str(fields.get("uid") or "") if isinstance(fields, dict) else ""
        if uid in seen and any(fields == earlier for earlier, _ in kept):
            duplicates.append(uid)
        else:
            seen.add(uid)
            kept.append((fields, reference))
    if duplicates:
        when = " after mutating admission happens" if after_mutating_admission else ""
        message = DUPLICATE_OWNER_REFERENCES.format(when, ", ".join(duplicates))
        if message not in warnings:  # the request's recorder keeps one of each (a retried patch warns again)
            warnings.append(message)
        meta["ownerReferences"] = [reference for _, reference in kept]


@mirrors("(*k8s.io/apiserver/pkg/registry/rest.defaultUpdatedObjectInfo).Preconditions")
def uid_precondition(obj: dict) -> Preconditions | None:
    """An update's body that names a uid makes it the storage's precondition; none otherwise."""
    uid = obj["metadata"].get("uid")
    return Preconditions(uid) if uid else None


def _within_processed_depth(patched: dict, schema: dict) -> dict:
    """A patch's result with what the kind's struct does not have dropped, before anything walks it
    recursively; 400 for one still nested past what this server walks."""
    try:
        return fieldvalidation.within_processed_depth(patched, schema)
    except decoding.DecodeError as err:
        raise errors.bad_request(str(err)) from None


def _check_processed_depth(value: object) -> None:
    """400 for a value nested past what this server walks."""
    try:
        decoding.check_depth(decoding.nesting_of(value))
    except decoding.DecodeError as err:
        raise errors.bad_request(str(err)) from None


def decode_into_kind(request: Request, resource, obj: dict) -> dict:
    """The object as the kind's struct would hold it; unknown fields per `fieldValidation`. A
    built-in kind's has no zero scalars of `omitempty` fields, and the struct's order."""
    try:
        if resource.custom:
            fieldvalidation.check_object_meta(resource.kind, resource.version, obj.get("metadata"))
        decoded = fieldvalidation.decode_into_kind(resource.group, resource.version, resource.kind, obj)
    except decoding.DecodeError as err:  # nested past what this server walks
        raise errors.bad_request(str(err)) from None
    request.warnings += fieldvalidation.apply(decoded, fieldvalidation.directive(request.query.get("fieldValidation", [])))
    depth = decoded.depth
    if depth > decoding.MAX_PROCESSED_DEPTH and resource.custom:
        # The CRD's decoder prunes what its schema does not specify before anything walks the object.
        kinds.default(resource, decoded.obj)
        depth = decoding.nesting_of(decoded.obj)
    if depth > decoding.MAX_PROCESSED_DEPTH:  # deep content the kind keeps (a field of any content)
        raise errors.bad_request(f"the object is nested {depth} levels deep; this server accepts at most "
                                 f"{decoding.MAX_PROCESSED_DEPTH}")
    return decoded.obj if resource.custom else gostruct.as_decoded(decoded.obj)


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers.jsonPatcher).applyPatchToCurrentObject")
def undecodable_patch_result(patched: dict, problem: str) -> StatusError:
    """A JSON or merge patch whose result the kind cannot hold is invalid, quoting the patched
    document as the patch library marshals it and the decoder's error: the top-level map, which
    the library always parses, sorted, and below it the order the patch left (apply_merge_patch
    keeps MergePatch's)."""
    top = {key: patched[key] for key in sorted(patched)}
    shown = gojson.quote(gojson.marshal(top).decode("utf-8", "surrogatepass"))
    return errors.invalid("", "", [f"patch: Invalid value: {shown}: {problem}"])


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.applyPatchToObject")
def unconvertible_patch_result(patch: dict, problem: str) -> StatusError:
    """A strategic merge patch whose merged map the unstructured converter cannot put into the kind
    is invalid, quoting the patch map with %+v (upstream prints it after the merge removed the
    directives it acted on; here it is the patch as sent) and the converter's error."""
    return errors.invalid("", "", [f"patch: Invalid value: {gojson.quote(format_v(patch))}: {problem}"])


@mirrors("k8s.io/apimachinery/pkg/runtime.Convert_Slice_string_To_Pointer_int64")
def query_int64(request: Request, name: str) -> int | None:
    """An int64 query parameter (None when absent); 400 with strconv's words for anything else."""
    if name not in request.query:
        return None
    value = request.param(name)
    problem = int64_problem(value)
    if problem:
        raise errors.bad_request(problem)
    return int(value)


def int64_problem(value: str) -> str | None:
    """strconv.ParseInt's error for a value that is no int64, None for one that is."""
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        return f'strconv.ParseInt: parsing "{value}": invalid syntax'
    if not -limits.MAX_INT64 - 1 <= int(value) <= limits.MAX_INT64:
        return f'strconv.ParseInt: parsing "{value}": value out of range'
    return None


@mirrors("k8s.io/apimachinery/pkg/apis/meta/internalversion/validation.ValidateListOptions")
@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.ListResource")
def watch_timeout(timeout_seconds: int | None, jitter: float) -> float:
    """How many seconds a watch runs: timeoutSeconds as Go's time.Duration holds it, nanoseconds in
    an int64 that wrap around (a huge value can come out small or negative), or when that is 0,
    MIN_REQUEST_TIMEOUT_SECONDS times 1 + `jitter` (a random number in [0, 1))."""
    nanoseconds = ((timeout_seconds or 0) * 10**9 + 2**63) % 2**64 - 2**63
    if nanoseconds == 0:
        return limits.MIN_REQUEST_TIMEOUT_SECONDS * (1 + jitter)
    return nanoseconds / 1e9


def list_options(request: Request) -> dict:
    """The ListOptions of a list or deletecollection, as keyword arguments of Registry.list; a
    limit or timeoutSeconds that is no int64 is a 400, a resourceVersionMatch without its
    resourceVersion a 422."""
    # DecodeParameters reads timeoutSeconds before limit, so its error is the one reported.
    query_int64(request, "timeoutSeconds")
    limit = max(query_int64(request, "limit") or 0, 0)  # storage pages only for a limit above 0
    # The conversion to the internal ListOptions parses the selectors next, before ValidateListOptions
    # and before a deletecollection reads its DeleteOptions (a bad dryRun is reported after them).
    selectors.parse_label_selector(request.param("labelSelector"))
    selectors.parse_field_selector(request.param("fieldSelector"))
    match = listoptions.resource_version_match(request.param("resourceVersionMatch"),
                                               request.param("resourceVersion"), request.param("continue"), False)
    return {"label_selector": request.param("labelSelector"), "field_selector": request.param("fieldSelector"),
            "limit": limit, "continue_token": request.param("continue"),
            "resource_version": request.param("resourceVersion"), "resource_version_match": match}


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler")
def begin_create(request: Request) -> None:
    """createHandler's steps before it reads the body, in its order: the output media type (406),
    the input serializer and the body's size (415, 413), then the CreateOptions (422). Every create
    runs them, the subresources' (binding, token, eviction) and the reviews' too."""
    negotiate_for(request)
    negotiate_input(request)
    check_write_options(request, "CreateOptions")


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateCreateOptions",
         "k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateUpdateOptions",
         "k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidatePatchOptions")
def check_write_options(request: Request, kind: str, patch_type: str = "") -> None:
    """422 for `force` on a patch other than apply, for an apply without a fieldManager, for
    a fieldManager past 128 bytes or with unprintable characters, for a dryRun other than All and
    for a fieldValidation other than Ignore, Strict or Warn."""
    problems = []
    if kind == "PatchOptions" and patch_type != APPLY_PATCH and "force" in request.query:
        problems.append("force: Forbidden: may not be specified for non-apply patch")
    if patch_type == APPLY_PATCH and not request.param("fieldManager"):
        # kubectl defaults it to "kubectl"; controllers must set it.
        problems.append("fieldManager: Required value: is required for apply patch")
    if "fieldManager" in request.query:
        manager = request.param("fieldManager")
        if len(manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
            problems.append(f"fieldManager: Too long: must have at most {FIELD_MANAGER_MAX_LENGTH} bytes")
        position = 0
        for character in manager:  # Go ranges over runes, counting bytes
            if not character.isprintable():
                problems.append(validation.invalid(
                    "fieldManager", manager, f"invalid character U+{ord(character):04X} (at position {position})"))
            position += len(character.encode())
    problems += validation.dry_run_problems(request.query.get("dryRun"))
    directive = request.param("fieldValidation")
    if directive not in ("", *fieldvalidation.DIRECTIVES):
        problems.append(f'fieldValidation: Unsupported value: {gojson.quote(directive)}: supported values: '
                        '"", "Ignore", "Strict", "Warn"')
    if problems:
        raise errors.invalid(kind, "", problems, "meta.k8s.io")


# DeleteOptions' fields and the JSON types their Go types decode from.
_DELETE_OPTION_TYPES = {"gracePeriodSeconds": (int, "int64"), "preconditions": (dict, "v1.Preconditions"),
                        "orphanDependents": (bool, "bool"), "propagationPolicy": (str, "v1.DeletionPropagation"),
                        "dryRun": (list, "[]string")}
_PRECONDITION_TYPES = {"uid": "types.UID", "resourceVersion": "string"}

# The JSON fields of metav1.DeleteOptions and policyv1.Eviction, for skipping the others in a deep
# body as encoding/json does (the value of each field is any here: the handler checks its type).
DELETE_OPTIONS_SCHEMA = {"type": "object", "properties": {
    **dict.fromkeys(("kind", "apiVersion", "gracePeriodSeconds", "orphanDependents", "propagationPolicy", "dryRun"), {}),
    "preconditions": {"type": "object", "properties": dict.fromkeys(_PRECONDITION_TYPES, {})}}}
EVICTION_SCHEMA = {"type": "object", "properties": {
    "kind": {}, "apiVersion": {}, "metadata": {"$ref": REF_PREFIX + META + "ObjectMeta"},
    "deleteOptions": DELETE_OPTIONS_SCHEMA}}
# The fields of Eviction and TokenRequest that are structs held by value, which a null written after
# an object leaves as it is (Eviction's deleteOptions is a pointer, which the null makes nil).
EVICTION_VALUE_STRUCTS = frozenset({"metadata"})
TOKEN_REQUEST_VALUE_STRUCTS = frozenset({"metadata", "spec", "status"})


def check_delete_options_types(options: dict, path: str = "") -> None:
    """400 for a DeleteOptions body field of a JSON type its Go field cannot decode (a grace period
    given as a list was a TypeError 500, one past int64 was taken); `path` leads to the options
    inside a larger body.
    Upstream's DeleteResource hands the decoder's error to scope.err unwrapped, so the real server
    answers 500 with this text; a client's mistake stays a 400 here, with the same text. The
    decoder reports the first wrong value in the body's order, and checks every value of a key
    written twice (`options` as decoded, before decoding.merged keeps the last ones)."""
    values = []
    for name, value in decoding.writes_in_order(options):
        if name not in _DELETE_OPTION_TYPES:
            continue
        values.append((f"DeleteOptions.{path}{name}", value, *_DELETE_OPTION_TYPES[name]))
        if name == "preconditions" and isinstance(value, dict):
            values += [(f"Preconditions.{path}preconditions.{key}", item, str, _PRECONDITION_TYPES[key])
                       for key, item in decoding.writes_in_order(value) if key in _PRECONDITION_TYPES]
        elif name == "dryRun" and isinstance(value, list):
            values += [(f"DeleteOptions.{path}dryRun", item, str, "string") for item in value]
    for field_name, value, python_type, go_type in values:
        wrong = value is not None and (not isinstance(value, python_type) or (
            python_type is int and (isinstance(value, bool) or not -2 ** 63 <= value < 2 ** 63)))
        if wrong:  # a number shown with its digits, as literalStore reports one an int64 cannot hold
            raise errors.bad_request(gojson.value_type_error(value, go_type, field_name))


CRD_SCHEME = "k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55"


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.DeleteCollection")
def check_custom_delete_options_kind(options: dict, body: bytes, api_version: str) -> None:
    """The DeleteOptions body of a custom resource's collection delete that the CRD codec does not
    decode: one of another kind or version than DeleteOptions of v1 or the resource's own
    (meta.k8s.io/v1 included), or a version without a kind. DeleteCollection hands the decoder's
    error to scope.err as it is, a 500 upstream for a client's mistake: a 400 here, in its words."""
    kind, version = options.get("kind") or "", options.get("apiVersion") or ""
    if version and not kind:
        raise errors.bad_request(f"Object 'Kind' is missing in '{body.decode(errors='replace')}'")
    if kind and (kind != "DeleteOptions" or version not in ("", "v1", api_version)):
        raise errors.bad_request(f'no kind "{kind}" is registered for version "{version}" in scheme "{CRD_SCHEME}"')


def _check_eviction_types(body: dict, version: str) -> None:
    """400 for metadata or deleteOptions the json decoder cannot put into an Eviction's ObjectMeta or
    v1.DeleteOptions, the first in the body's order (the decoder reports the first wrong value): any
    of the values written for them (`body` as decoded, before decoding.merged)."""
    for key, value in decoding.writes_in_order(body):
        if key == "metadata":
            try:
                fieldvalidation.check_object_meta("Eviction", version, value, within="Eviction")
            except fieldvalidation.UndecodableError as err:
                raise errors.bad_request(err.problem) from None
        elif key == "deleteOptions":
            _check_delete_options_field(value)


def _check_delete_options_field(options: object) -> None:
    """400 for one value written for an Eviction's deleteOptions that is no v1.DeleteOptions."""
    if options is None:
        return
    if not isinstance(options, dict):
        raise errors.bad_request(gojson.type_error(gojson.type_name(options), "v1.DeleteOptions",
                                                   "Eviction.deleteOptions"))
    check_delete_options_types(options, "deleteOptions.")


def delete_options_sent(options: dict) -> dict:
    """The DeleteOptions fields a client set, from `_delete_options`' decoded and filled-in ones."""
    sent = {key: value for key, value in options.items() if value is not None and key != "dryRun"}
    return {**sent, "dryRun": ["All"]} if options.get("dryRun") else sent


def field_manager_of(request: Request) -> str:
    """The manager a write is recorded for: ?fieldManager, else the User-Agent's first token."""
    return manager_or_user_agent(request.param("fieldManager"), request.header("User-Agent"))


@mirrors("(*k8s.io/apiserver/pkg/endpoints/handlers.applyPatcher).applyPatchToCurrentObject")
def decode_apply_patch(request: Request) -> dict:
    """The applied configuration: YAML, of which JSON is a part; 400 for one that is no object."""
    try:
        applied = decoding.decode_yaml(request.body)
    except ValueError as err:
        raise errors.bad_request(f"error decoding YAML: error converting YAML to JSON: {err}") from err
    if applied is None:
        return {}
    if not isinstance(applied, dict):
        raise errors.bad_request("error decoding YAML: error unmarshaling JSON: while decoding JSON: "
                                 + gojson.type_error(gojson.type_name(applied), "map[string]interface {}"))
    return applied


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers.ConnectResource")
def check_connect_dry_run(request: Request) -> None:
    """A connect subresource (exec, attach, portforward) cannot be dry run: any dryRun, even an
    empty one, is refused before the object is read."""
    if "dryRun" in request.query:
        raise errors.bad_request("dryRun is not supported")


def dry_run(request: Request) -> bool:
    values = request.query.get("dryRun", [])
    if any(v != "All" for v in values):
        raise errors.bad_request(f"Invalid dry run value: {values}")
    return bool(values)


def decode_scale(scale: object, name: str, namespace: str) -> dict:
    """A scale body as autoscaling/v1.Scale decodes with the name on the URL (UpdateResource's
    checkName)."""
    scale = decoded_scale(scale)
    check_name(scale, name, namespace)
    return scale


def decoded_scale(scale: object) -> dict:
    """A scale body as autoscaling/v1.Scale decodes (400 for a replicas count that is no int32: a
    2^40 was stored in the workload)."""
    if not isinstance(scale, dict):
        raise errors.bad_request("the body must be an autoscaling/v1 Scale")
    scale = fieldvalidation.decode_into_kind("autoscaling", "v1", "Scale", scale).obj
    if not isinstance(scale.get("metadata"), dict):
        scale["metadata"] = {}
    # ScaleSpec.Replicas is an int32, not a pointer: a spec or replicas left out (or null) is 0.
    if not isinstance(scale.get("spec"), dict):
        scale["spec"] = {}
    if scale["spec"].get("replicas") is None:
        scale["spec"]["replicas"] = 0
    return scale


SCALE_V1 = scheme.GroupVersionKind("autoscaling", "v1", "Scale")


# --- pods/log --------------------------------------------------------------------------------

LOG_OPTIONS = ("follow", "previous", "tailLines", "limitBytes", "timestamps", "sinceSeconds")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodLogOptions")
def check_log_options(request: Request) -> None:
    """The integer options decode as int64 and sinceTime as RFC 3339 (400 otherwise); tailLines may
    not be negative, limitBytes and sinceSeconds must be positive, and sinceSeconds excludes
    sinceTime (422)."""
    tail, limit, since = (query_int64(request, name) for name in ("tailLines", "limitBytes", "sinceSeconds"))
    if request.param("sinceTime"):
        parse_error = timefmt.rfc3339_parse_error(request.param("sinceTime"))
        if parse_error:
            raise errors.bad_request(parse_error)
    problems = []
    if tail is not None and tail < 0:
        problems.append(validation.invalid("tailLines", tail, "must be greater than or equal to 0"))
    if limit is not None and limit < 1:
        problems.append(validation.invalid("limitBytes", limit, "must be greater than 0"))
    if since is not None and request.param("sinceTime"):
        problems.append("[]: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified")
    elif since is not None and since < 1:
        problems.append(validation.invalid("sinceSeconds", since, "must be greater than 0"))
    if problems:
        raise errors.invalid("PodLogOptions", request.info.name, problems)


def kubelet_log_query(request: Request) -> dict[str, str]:
    """The options LogLocation passes on to the kubelet, sinceTime in whole seconds as the
    metav1.Time it decoded formats them (time.RFC3339, in the server's zone, UTC)."""
    query = {name: request.param(name) for name in LOG_OPTIONS if request.param(name)}
    if request.param("sinceTime"):
        query["sinceTime"] = timefmt.rfc3339(timefmt.parse_rfc3339(request.param("sinceTime")))
    return query


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.LogLocation")
def log_container(pod: dict, container: str) -> str:
    """The container whose log is asked for: the one named (an init or ephemeral container too), or
    the pod's only container; 400 when the pod has several and none is named, or the name is not
    one of them."""
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    init_names = [c["name"] for c in spec.get("initContainers") or []]
    ephemeral_names = [c["name"] for c in spec.get("ephemeralContainers") or []]
    pod_name = pod["metadata"]["name"]
    if not container:
        if len(names) == 1:
            return names[0]
        message = f"a container name must be specified for pod {pod_name}, choose one of: [{' '.join(names)}]"
        if init_names:
            message += f" or one of the init containers: [{' '.join(init_names)}]"
        raise errors.bad_request(message)
    if container not in names + init_names + ephemeral_names:
        raise errors.bad_request(f"container {container} is not valid for pod {pod_name}")
    return container


@dataclass(frozen=True)
class LogLocation:
    """Where a container's log is read, as pod.LogLocation answers: the kubelet's address and the
    /containerLogs path with its query; `follow` keeps the stream open."""
    host: str
    port: int
    path: str
    follow: bool


# Opens a LogLocation and gives (chunks, stop): the I/O the HTTP adapter does (adapter/logproxy).
LogOpener = Callable[[LogLocation], tuple[Callable[[], Iterator[bytes]], Callable[[], None]]]


# --kubelet-preferred-address-types as kubeadm sets it (the reference kubelet's Hostname address
# is its node name, which resolves nowhere).
KUBELET_PREFERRED_ADDRESS_TYPES = ("InternalIP", "ExternalIP", "Hostname")
DEFAULT_KUBELET_PORT = 10250


@mirrors("k8s.io/kubernetes/pkg/util/node.GetPreferredNodeAddress")
def kubelet_endpoint(node: dict) -> tuple[str, int]:
    """The node's address of the first preferred type and the kubelet port it reports (10250 for
    none); a node with no such address is a plain 500 in NoMatchError's words."""
    status = node.get("status") or {}
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port") or 0
    addresses = status.get("addresses") or []
    address = next((a.get("address", "") for kind in KUBELET_PREFERRED_ADDRESS_TYPES for a in addresses
                    if a.get("type") == kind), None)
    if address is None:
        known = " ".join(f"{{{a.get('type', '')} {a.get('address', '')}}}" for a in addresses)
        raise StatusError(500, "", f"no preferred addresses found; known addresses: [{known}]")
    return address, int(port) if int(port) > 0 else DEFAULT_KUBELET_PORT


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.IsUpgradeRequest")
def is_upgrade_request(request: Request) -> bool:
    return "upgrade" in request.header("Connection").lower()


# --- the REST handlers ----------------------------------------------------------------------

# The methods the API installer registers routes for.
ROUTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Connecter subresources, proxied to a kubelet or a backend as they are: no media type is negotiated.
CONNECT_SUBRESOURCES = ("exec", "attach", "portforward", "proxy")
TOKEN_REQUEST_VERSION = "authentication.k8s.io/v1"  # what serviceaccounts/token creates


class RESTHandlers:
    """The resource handlers for one registry; `serve` dispatches on RequestInfo verb and subresource."""

    def __init__(self, registry, admission=None, now: Callable[[], float] = time.time, *, open_log: LogOpener):
        self.registry = registry
        self.open_log = open_log
        self.admission = admission
        self.now = now
        self.escalation = None  # an escalation.EscalationCheck when the server authorizes with RBAC
        self.authorizer = None  # the server's, for the checks a handler makes beyond the request's own verb
        self.token_key = None  # the service account token signing key; TokenRequest needs one
        self._watches: set[Callable[[], None]] = set()
        # One encoding per event for every watcher of a serializer.
        self.json_frames, self.protobuf_frames = watchframes.JSONFrames(), watchframes.ProtobufFrames()
        self._lock = threading.Lock()

    def serve(self, request: Request, resource) -> Response | WatchResponse:
        info = request.info
        verb, sub = info.verb, info.subresource
        request.table_convertor = has_table_convertor(resource, sub)
        request.protobuf_objects = not resource.custom
        if resource.custom and sub and sub not in resource.subresources:
            # The CRD handler, which reads no part past the subresource, answers one it does not
            # serve as its object not found.
            raise errors.not_found(resource.plural, info.name, resource.group)
        if not resource.custom and info.special_verb == "watch" and (sub or request.method != "GET"):
            # The installer's deprecated /watch/ routes: a GET of a collection or an object only.
            raise errors.resource_not_served() if sub else errors.generic_server_response(405)
        if not resource.custom and ((sub and sub not in resource.subresources) or
                                    (len(info.parts) > 3 and sub != "proxy")):
            # No route goes past a subresource but the proxies' {path:*}.
            raise errors.resource_not_served()
        if resource.namespaced and not info.under_namespace and verb not in ("list", "watch"):
            # Across namespaces the API installer routes only list and watch: no bulk delete or
            # create there, and no object path at all.
            if info.name or sub:
                raise errors.resource_not_served()
            raise errors.generic_server_response(405)
        if sub == "proxy":
            return self.proxy(request, resource)
        if request.method not in ROUTED_METHODS:
            if not resource.custom:
                # HEAD included: go-restful matches a route's method exactly and serves no HEAD for a GET.
                raise errors.generic_server_response(405)
            if request.method != "HEAD":
                # The CRD handler serves by the request's verb (HEAD's is get or list) and refuses the
                # rest, whose verb is "".
                raise errors.method_not_allowed(resource.plural, verb, resource.group)
        if sub and verb not in discovery.SUBRESOURCES[sub][3]:
            # A subresource's path is routed for its own verbs only, never to the parent's delete,
            # create or get (DELETE .../scale deleted the Deployment). The CRD handler serves its
            # subresources itself and names the resource it refuses the verb on.
            if resource.custom:
                raise errors.method_not_allowed(resource.plural, verb, resource.group)
            raise errors.generic_server_response(405)
        if resource.custom and not sub and not info.name and verb in ("update", "patch"):
            # The CRD handler serves by verb, whatever the path's shape: ContextBasedNaming wants a name.
            raise errors.bad_request("name must be provided")
        if not sub and (verb == "create") == bool(info.name) and verb in ("create", "update", "patch"):
            # The installer routes POST to the collection, PUT and PATCH to an object, no other way.
            raise errors.generic_server_response(405)
        if not sub and verb not in resource.verbs and (resource.custom or verb != "watch"):
            # go-restful finds no route of the method on the path before it compares Content-Type or
            # Accept; the CRD handler refuses the verb itself.
            raise errors.generic_server_response(405)
        if not resource.custom and verb == "patch" and \
                not mediatype.route_consumes(request.header("Content-Type"), PATCH_TYPES):
            # go-restful's route selection compares the Content-Type before the Accept: a 415 when
            # ContentLength > 0; else (no body, or a chunked one: -1) no route is left for the
            # Accept check, a 406 whatever was accepted.
            raise errors.unsupported_route_media_type() if request.content_length > 0 else errors.unacceptable_route()
        if not resource.custom and sub not in CONNECT_SUBRESOURCES and not route_accepts(
                request.header("Accept"), LOG_MEDIA_TYPES if sub == "log" else ROUTE_MEDIA_TYPES):
            raise errors.unacceptable_route()  # custom resources are served by no go-restful route
        if not sub and verb == "watch" and verb not in resource.verbs:
            # A watch is the list route's GET, found by its Accept; the handler then has no watcher.
            raise errors.generic_server_response(405)
        request.routed = True
        if resource.deprecation_warning:
            request.warnings.append(resource.deprecation_warning)
        if sub == "binding":
            return self.bind(request, resource)
        if sub == "token":
            return self.token_request(request, resource)
        if sub == "eviction":
            return self.evict(request, resource)
        if sub == "scale":
            return getattr(self, f"scale_{verb}")(request, resource)
        if sub == "log":
            return self.pod_log(request, resource)
        if sub in ("exec", "attach"):
            return self.pod_exec(request, resource)
        if sub == "portforward":
            return self.pod_port_forward(request, resource)
        return getattr(self, verb)(request, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.doTransformObject")
    def _output(self, request: Request, code: int, obj: dict, resource) -> Response:
        options = negotiate_for(request)
        include = table_options(request, options)
        if options.convert == "Table" and obj.get("kind") != "Status":
            obj = self._as_table(obj, resource, include, options.version)
        elif options.convert and obj.get("kind") != "Status":
            obj = as_partial_object_metadata(obj, options, resource)
        elif resource.custom and "items" in obj and obj.get("kind") == resource.list_kind:
            obj = as_unstructured_list(obj)
        return _respond(request, code, obj)

    def _as_table(self, obj: dict, resource, include: str, version: str, no_headers: bool = False) -> dict:
        """The Table of a list or of one object, with DefaultTableConvertor's metadata: the list's
        resourceVersion, continue and remainingItemCount, or the object's resourceVersion."""
        meta = obj.get("metadata") or {}
        if "items" in obj:
            items, list_meta = obj["items"] or [], {k: v for k, v in meta.items()
                                                    if k in ("resourceVersion", "continue", "remainingItemCount")}
        else:
            # omitempty: an object never stored (a ComponentStatus) leaves the Table's metadata empty
            items, list_meta = [obj], {k: v for k, v in meta.items() if k == "resourceVersion" and v}
        return table.as_table(resource, items, self.now(), include, list_meta, no_headers, version)

    def _attributes(self, request: Request, operation: str, resource, obj: dict | None,
                    old: dict | None, options: dict | None = None) -> AdmissionRequest:
        """The request's admission.Attributes, named by the URL or else by the object (a create's
        validating admission sees the name the registry generated). A write's options are read
        from the query; a delete's are given."""
        info = request.info
        name = info.name or (obj or {}).get("metadata", {}).get("name", "")
        if options is None:
            options = {key: request.query[key] if key == "dryRun" else request.param(key)
                       for key in ("dryRun", "fieldManager", "fieldValidation") if key in request.query}
        return AdmissionRequest(operation, resource, info.subresource, info.namespace, name, obj, old, request.user,
                                dry_run(request), request.warnings, options)

    def _admit(self, request: Request, operation: str, resource, obj: dict | None, old: dict | None,
               options: dict | None = None) -> dict | None:
        """Mutating admission, then the RBAC escalation check the RBAC kinds' policy-based storage
        makes of the object admission leaves, before its Store sees it."""
        if self.admission is not None:
            obj = self.admission.admit(self._attributes(request, operation, resource, obj, old, options))
        if self.escalation is not None and operation in ("CREATE", "UPDATE"):
            self.escalation.check(request.user, resource, request.info.namespace, obj, old, request.info.name)
        return obj

    def _admit_new(self, request: Request, resource, obj: dict) -> dict | None:
        """Mutating admission of an object to be created, defaulted first as upstream's decoder
        defaults it: the plugins see what upstream's see (LimitRanger, a pod's requests already
        taken from its limits)."""
        kinds.default(resource, obj)
        return self._admit(request, "CREATE", resource, obj, None)

    @mirrors("k8s.io/apiserver/pkg/registry/rest.AdmissionToValidateObjectFunc",
             "k8s.io/apiserver/pkg/registry/rest.AdmissionToValidateObjectUpdateFunc")
    def _validation(self, request: Request, operation: str, resource,
                    options: dict | None = None) -> Callable[..., None] | None:
        """Validating admission as the registry calls it, `(obj)` on create and `(obj, old)` on
        update, once the strategy has prepared and validated the object; None with no chain."""
        if self.admission is None:
            return None

        def validate(obj: dict, old: dict | None = None) -> None:
            self.admission.validate(self._attributes(request, operation, resource, obj, old, options))
        return validate

    def _admit_and_validate(self, request: Request, operation: str, resource, obj: dict | None,
                            old: dict | None, options: dict | None = None) -> dict | None:
        """Both phases at once, for the writes whose REST calls validation before anything else:
        deletes, bindings and evictions."""
        obj = self._admit(request, operation, resource, obj, old, options)
        validate = self._validation(request, operation, resource, options)
        if validate:
            validate(obj, old)
        return obj

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.GetResource")
    def get(self, request: Request, resource) -> Response:
        negotiate_for(request)
        check_export(request)
        obj = self.registry.get(resource, request.info.namespace, request.info.name, request.param("resourceVersion"))
        return self._output(request, 200, obj, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.ListResource")
    def list(self, request: Request, resource) -> Response:
        negotiate_for(request)
        result = self.registry.list(resource, request.info.namespace or None, **list_options(request))
        return self._output(request, 200, result, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler")
    def create(self, request: Request, resource) -> Response:
        begin_create(request)
        obj = decode_into_kind(request, resource, decode_object(
            *decode_body(request, max_depth=decoding.MAX_JSON_DEPTH, into_kind=resource.kind,
                         custom=resource if resource.custom else None, into_api_version=resource.api_version),
            resource,
            request.body))
        namespace = request.info.namespace if resource.namespaced else ""
        dedup_owner_references(obj, request.warnings, False)
        # Defaulted once, as upstream's decoder defaults what it decodes: the field manager and
        # mutating admission both see this object.
        kinds.default(resource, obj)
        obj = FieldManager.for_resource(resource).update(None, obj, field_manager_of(request), self._time(),
                                                         owned=True, defaulted=True)
        obj = self._admit(request, "CREATE", resource, obj, None)
        # The Store's BeforeCreate fills the namespace in, after mutating admission (a webhook is
        # sent the object without it); another one is BeforeCreate's to refuse.
        if namespace and isinstance(obj.get("metadata"), dict):
            obj["metadata"].setdefault("namespace", namespace)
        dedup_owner_references(obj, request.warnings, True)
        created = self.registry.create(resource, namespace, obj, dry_run=dry_run(request), user=request.user,
                                       create_validation=self._validation(request, "CREATE", resource),
                                       warnings=request.warnings, owned=True)
        if resource.plural == "namespaces" and not dry_run(request):
            self.registry.ensure_default_service_account(created["metadata"]["name"])
        return self._output(request, 201, created, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource")
    def update(self, request: Request, resource) -> Response:
        negotiate_for(request)
        check_write_options(request, "UpdateOptions")
        info = request.info
        obj = decode_into_kind(request, resource, decode_object(
            *decode_body(request, max_depth=decoding.MAX_JSON_DEPTH, into_kind=resource.kind,
                         custom=resource if resource.custom else None, into_api_version=resource.api_version),
            resource,
            request.body))
        namespace = info.namespace if resource.namespaced else ""
        # checkName runs in the handler, before the strategy's BeforeUpdate fills the namespace in,
        # so a namespace of another name gets checkName's words.
        check_name(obj, info.name, namespace)
        ensure_namespace(obj, namespace)
        dedup_owner_references(obj, request.warnings, False)
        for attempt in range(CREATE_RACE_RETRIES + 1):
            try:
                updated = self.registry.patch(resource, info.namespace, info.name,
                                              self._updated_object(request, resource, info.subresource, obj),
                                              subresource=info.subresource or None, dry_run=dry_run(request),
                                              update_validation=self._validation(request, "UPDATE", resource),
                                              preconditions=uid_precondition(obj), warnings=request.warnings)
            except errors.StatusError as err:
                # Store.Update creates what its strategy allows, through a subresource's too (a
                # service's status strategy embeds the service's).
                if not (err.code == 404 and resource.allow_create_on_update and err.details.get("name") == info.name):
                    raise
                try:
                    return self._create_on_update(request, resource, deep_copy_json(obj))
                except errors.StatusError as lost:
                    if not (created_meanwhile(lost, info.name) and attempt < CREATE_RACE_RETRIES):
                        raise
                    continue
            return self._output(request, 200, updated, resource)
        raise AssertionError("unreachable")

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Update")
    def _create_on_update(self, request: Request, resource, obj: dict) -> Response:
        """A PUT that finds no object creates it (201) where the kind's strategy allows it: admitted
        and validated as a create, and, since the request was authorized as an update, authorized
        as a `create` of that name once valid, before validating admission."""
        # the endpoint's field manager: a subresource's resets the fields its strategy resets
        field_manager = FieldManager.for_resource(resource, request.info.subresource)
        obj = field_manager.update(None, obj, field_manager_of(request), self._time())
        obj = self._admit_new(request, resource, obj)
        dedup_owner_references(obj, request.warnings, True)
        # The update path's storage drops whatever resourceVersion the client sent.
        obj["metadata"].pop("resourceVersion", None)
        created = self.registry.create(resource, request.info.namespace if resource.namespaced else "", obj,
                                       dry_run=dry_run(request), user=request.user,
                                       create_validation=self._authorized_create_validation(request, resource),
                                       warnings=request.warnings, subresource=request.info.subresource or None)
        return self._output(request, 201, created, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.withAuthorization")
    def _authorized_create_validation(self, request: Request, resource) -> Callable[[dict], None]:
        """A create's validating admission for a write authorized as something else (a PUT or an
        apply that finds no object): the user must also be allowed to `create` that name, asked
        once the object is valid."""
        validate = self._validation(request, "CREATE", resource)

        def authorized(created: dict) -> None:
            self._ensure_authorized_for_verb(request, "create")
            if validate:
                validate(created)
        return authorized

    def _time(self) -> str:
        """A managedFields entry's time: now, to the second."""
        return rfc3339(self.now())

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource",
             "(*k8s.io/apiserver/pkg/registry/rest.defaultUpdatedObjectInfo).UpdatedObject")
    def _updated_object(self, request: Request, resource, subresource: str, obj: dict) -> Callable[[dict], dict]:
        """What an update writes over the current object, asked again on every attempt: `obj`
        with the managedFields its manager's write leaves, then through mutating admission."""
        field_manager, manager, now = FieldManager.for_resource(resource, subresource), field_manager_of(request), \
            self._time()

        def updated(current: dict) -> dict:
            admitted = self._admit(request, "UPDATE", resource, field_manager.update(current, obj, manager, now), current)
            dedup_owner_references(admitted, request.warnings, True)
            return admitted
        return updated

    def _patcher(self, request: Request, field_manager: FieldManager, schema_kind: tuple[str, str],
                 patch_types: tuple[str, ...] = PATCH_TYPES, decode: Callable[[dict], dict] | None = None,
                 prune_to: dict | None = None):
        """The function the registry runs on the current object inside its GuaranteedUpdate (an
        apply also on None, for an object that is not there): the patched object, passed through
        `decode` (as the patchers decode their result into the kind), with its managedFields. With
        `prune_to`, the schema of the kind's struct, a patch may nest 10,000 levels (the patchers
        apply it without recursion) in what the decode of its result skips."""
        media_type = patch_type_of(request)
        # A built-in kind's route consumes only the patch types, compared by go-restful as written;
        # its 415 is for a body it would read (ContentLength > 0); with none, no route is left for
        # its Accept check, whose 406 comes instead.
        if patch_types == PATCH_TYPES and not mediatype.route_consumes(request.header("Content-Type"), PATCH_TYPES):
            raise errors.unsupported_route_media_type() if request.body else errors.unacceptable_route()
        if media_type not in patch_types:  # PatchResource checks before reading the body
            raise errors.unsupported_media_type(patch_types)
        check_body_size(request)
        now = self._time()

        @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.applyPatchToObject",
                 "(*k8s.io/apiserver/pkg/endpoints/handlers.applyPatcher).applyPatchToCurrentObject")
        def apply(current: dict | None) -> dict:
            if media_type == APPLY_PATCH:
                return field_manager.apply(current, decode_apply_patch(request), request.param("fieldManager"),
                                           query_bool(request.query.get("force")), now)
            # Decoded only here, on the object read from storage: a missing object is a 404 first.
            patch = decode_body(request, allow_patch=True,
                                max_depth=decoding.MAX_JSON_DEPTH if prune_to else decoding.MAX_PROCESSED_DEPTH)[0]
            try:
                # The JSON and merge patchers patch the current object's JSON, where a byte
                # that is no UTF-8 is a U+FFFD; the strategic one its unstructured map, which keeps it.
                if media_type == "application/json-patch+json":
                    patched = apply_json_patch(jsonserializer.as_json_round_trip(current), patch)
                elif media_type == "application/merge-patch+json":
                    patched = apply_merge_patch(jsonserializer.as_json_round_trip(current), patch)
                else:
                    patched = apply_strategic_merge_patch(current, patch,
                                                          openapi.OpenAPIPatchMeta.for_kind(*schema_kind))
            except TooManyOperations as err:
                raise errors.request_entity_too_large(err.message) from err
            except PatchError as err:
                if err.malformed:
                    # Upstream answers strategicpatch's plain errors (an unknown `$patch`, a
                    # `$setElementOrder/` that is no list or out of order, a list of mixed
                    # items) with a 500; they are the client's mistake.
                    raise errors.bad_request(err.message) from err
                raise errors.generic_server_response(422) from err  # a JSON patch's operation failed
            if not isinstance(patched, dict):
                # jsonPatcher decodes the patched JSON into the kind; what it cannot is invalid,
                # quoted whole: a list past what the encoder walks is this server's 400 instead.
                _check_processed_depth(patched)
                problem = (f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                           f"{gojson.type_name(patched)} into Go value of type {TYPE_META_STRUCT}")
                shown = gojson.quote(jsonserializer.encode(patched).decode())
                raise errors.invalid("", "", [f"patch: Invalid value: {shown}: {problem}"])
            if prune_to is not None:
                patched = _within_processed_depth(patched, prune_to)
            if decode is not None:
                try:
                    patched = decode(patched)
                except fieldvalidation.UndecodableError as err:
                    if media_type != STRATEGIC_MERGE_PATCH or err.conversion_problem is None:
                        raise
                    # A patch deep past what format_v walks is quoted as the kind's struct holds it.
                    quoted = patch if prune_to is None else _within_processed_depth(patch, prune_to)
                    raise unconvertible_patch_result(quoted, err.conversion_problem) from None
            # Every patcher patches a copy of its own, so the field manager may write into it.
            return field_manager.update(current, patched, field_manager_of(request), now, owned=True)
        return apply

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.PatchResource")
    def patch(self, request: Request, resource) -> Response:
        negotiate_for(request)
        info = request.info
        media_type = patch_type_of(request)

        def decode(patched: dict) -> dict:
            # Decoding drops nulls in place (a template's `"creationTimestamp":null`); the 422 of a
            # JSON or merge patch quotes the patched document as the patcher wrote it, nulls and all.
            document = deep_copy_json(patched) if media_type in (JSON_PATCH, MERGE_PATCH) else patched
            try:
                if media_type in (JSON_PATCH, MERGE_PATCH):
                    patched = (decode_custom_patched if resource.custom else decode_patched)(patched, resource)
                elif media_type == STRATEGIC_MERGE_PATCH and not resource.custom:
                    patched = converted_patch_result(patched, resource)
                else:
                    patched = check_kind(patched, resource)
                return decode_into_kind(request, resource, patched)
            except fieldvalidation.UndecodableError as err:
                if media_type not in (JSON_PATCH, MERGE_PATCH):
                    raise
                raise undecodable_patch_result(document, err.problem) from None
        apply = self._patcher(request, FieldManager.for_resource(resource, info.subresource),
                              (resource.api_version, resource.kind),
                              CUSTOM_RESOURCE_PATCH_TYPES if resource.custom else PATCH_TYPES, decode,
                              None if resource.custom else fieldvalidation.kind_schema(resource.group,
                                                                                       resource.version, resource.kind))
        # After the patch type, as PatchResource checks.
        check_write_options(request, "PatchOptions", media_type)
        namespace = info.namespace if resource.namespaced else ""

        def patch_fn(current: dict | None) -> dict:
            patched = apply(current)
            if media_type == APPLY_PATCH:  # the other patches were decoded before the field manager
                try:
                    patched = decode(patched)
                except fieldvalidation.UndecodableError as err:
                    if err.conversion_problem is None or resource.custom:
                        raise
                    raise unconvertible_apply_result(decode_apply_patch(request), resource.group, resource.version,
                                                     resource.kind, err.conversion_problem) from None
            uid = (patched.get("metadata") or {}).get("uid") if current is None else None
            if uid:  # an apply that creates may not name the uid of an object it did not find
                raise errors.conflict(resource.plural, info.name, resource.group, "uid mismatch: the provided object "
                                      f"specified uid {uid}, and no existing object was found")
            check_name(patched, info.name, namespace)
            if current is None:
                admitted = self._admit_new(request, resource, patched)
            else:
                admitted = self._admit(request, "UPDATE", resource, patched, current)
            dedup_owner_references(admitted, request.warnings, True)
            return admitted

        for attempt in range(CREATE_RACE_RETRIES + 1):
            try:
                patched = self.registry.patch(resource, info.namespace, info.name, patch_fn,
                                              subresource=info.subresource or None, dry_run=dry_run(request),
                                              update_validation=self._validation(request, "UPDATE", resource),
                                              warnings=request.warnings)
            except StatusError as err:
                missing = err.reason == "NotFound" and err.details.get("name") == info.name
                # A subresource's store never creates, unless its strategy creates on update (a
                # service's status embeds the service's): Store.Update then creates through it.
                creates = not info.subresource or resource.allow_create_on_update
                if not (missing and media_type == APPLY_PATCH and creates):
                    raise
                # applyPatcher.createNewObject: an apply creates the object it does not find, which
                # the patch verb it was authorized for does not cover.
                try:
                    created = self.registry.create(resource, namespace, patch_fn(None), dry_run=dry_run(request),
                                                   user=request.user,
                                                   create_validation=self._authorized_create_validation(request,
                                                                                                        resource),
                                                   warnings=request.warnings, subresource=info.subresource or None)
                except StatusError as lost:
                    if not (created_meanwhile(lost, info.name) and attempt < CREATE_RACE_RETRIES):
                        raise
                    continue
                return self._output(request, 201, created, resource)
            return self._output(request, 200, patched, resource)
        raise AssertionError("unreachable")

    def _delete_options(self, request: Request, collection: Resource | None = None) -> dict:
        """DeleteOptions decoded from the body or, only when there is none, from the query
        (DeleteResource reads one or the other, never both), then validated. A delete of the
        `collection` decodes the body with the resource's own codec, as DeleteCollection does."""
        if request.body.strip() and collection is None and media_type_of(request) == protobuf.MEDIA_TYPE:
            options = protobuf_delete_options(request.body)
        elif request.body.strip():
            # decoded into the DeleteOptions struct: a key written twice merges its objects
            decoded = decode_body(request, into_struct=True, prune_to=DELETE_OPTIONS_SCHEMA)[0]
            options = decoding.merged(decoded)
            options = {} if options is None else options  # null unmarshals into the struct as nothing
            # DeleteResource hands the codec's errors to scope.err, a 500 upstream for what is a client's
            # mistake: a 400 here, in the codec's words.
            if not isinstance(options, dict):
                raise errors.bad_request("couldn't get version/kind; json parse error: json: cannot unmarshal "
                                         f"{gojson.type_name(options)} into Go value of type {TYPE_META_STRUCT}")
            try:
                if collection is not None and not collection.custom:
                    scheme.decode_meta_kind(scheme.for_group(collection.group), options, scheme.GroupVersionKind(
                        collection.group, collection.version, "DeleteOptions"))
                elif collection is not None:
                    check_custom_delete_options_kind(options, request.body, collection.api_version)
                else:
                    scheme.META_SCHEME.decode(options, scheme.DELETE_OPTIONS, scheme.DELETE_OPTIONS)
            except scheme.DecodeError as err:
                raise errors.bad_request(_codec_problem(options, err)) from None
            check_delete_options_types(decoded or {})  # null: no options, as for the struct
        else:
            options = {"propagationPolicy": request.param("propagationPolicy")} \
                if request.query.get("propagationPolicy") else {}
            if request.query.get("gracePeriodSeconds"):
                options["gracePeriodSeconds"] = query_int64(request, "gracePeriodSeconds")
            if request.query.get("orphanDependents"):
                options["orphanDependents"] = query_bool(request.query["orphanDependents"])
            if "dryRun" in request.query:
                options["dryRun"] = request.query["dryRun"]
            # Convert_url_Values_To_v1_DeleteOptions makes `uid` and `resourceVersion` preconditions.
            preconditions = {name: request.param(name) for name in ("uid", "resourceVersion") if request.param(name)}
            if preconditions:
                options["preconditions"] = preconditions
        options.setdefault("gracePeriodSeconds", None)
        problems = validation.delete_options_problems(options)
        if problems:
            raise errors.invalid("DeleteOptions", "", problems, "meta.k8s.io")
        options["dryRun"] = bool(options.get("dryRun"))
        return options

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.DeleteResource")
    def delete(self, request: Request, resource) -> Response:
        negotiate_for(request)
        info = request.info
        options = self._delete_options(request)
        old = self.registry.get(resource, info.namespace, info.name)
        self._admit_and_validate(request, "DELETE", resource, old, old, delete_options_sent(options))
        result, gone = self.registry.delete_with_outcome(resource, info.namespace, info.name,
                                                         options["gracePeriodSeconds"], options.get("preconditions"),
                                                         dry_run=options["dryRun"],
                                                         propagation_policy=options.get("propagationPolicy"),
                                                         orphan_dependents=options.get("orphanDependents"))
        # An object only marked deleted (graceful, held by finalizers, a namespace terminating) is a
        # 202 only when orphanDependents is false; upstream keeps the 200 older clients expect.
        return self._output(request, 202 if not gone and options.get("orphanDependents") is False else 200, result,
                            resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.DeleteCollection")
    def deletecollection(self, request: Request, resource) -> Response:
        negotiate_for(request)  # DeleteCollection's first step, before the list options
        listing = list_options(request)
        served = self.registry.resource(resource)
        # The field selector goes through the kind's label conversion before the body is read.
        selectors.parse_field_selector(listing["field_selector"], served.field_label_conversion)
        options = self._delete_options(request, collection=served)
        result = self.registry.delete_collection(resource, request.info.namespace if resource.namespaced else None,
                                                 options["gracePeriodSeconds"], options.get("propagationPolicy"),
                                                 options.get("orphanDependents"), options.get("preconditions"),
                                                 options["dryRun"], **listing)
        return self._output(request, 200, result, resource)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler",
             "(*k8s.io/kubernetes/pkg/registry/core/pod/storage.BindingREST).Create")
    def bind(self, request: Request, resource, name_from_body: bool = False) -> Response:
        """pods/NAME/binding: a v1 Binding named as the pod, assigning it (in a dry run too, up to
        the write) once admission has seen it; with `name_from_body`, the pod the Binding names."""
        begin_create(request)
        binding = decode_body(request, into_kind="Binding",
                              prune_to=fieldvalidation.kind_schema("", "v1", "Binding"))[0] or {}
        decode_as(binding, scheme.GroupVersionKind("", "v1", "Binding"), request.body)
        # Decoded as a v1.Binding: a target name that is no string would be stored as the pod's nodeName.
        binding = fieldvalidation.decode_into_kind("", "v1", "Binding", binding).obj
        # Mutating admission (NamespaceLifecycle's 404 for a namespace that does not exist) runs
        # before the REST's Create, whose checks come next, then validating admission.
        binding = self._admit(request, "CREATE", resource, binding, None)
        name = (binding.get("metadata") or {}).get("name", "")
        if not name_from_body and name != request.info.name:
            raise errors.bad_request("name in URL does not match name in Binding object")
        problems = pod_binding_problems(binding)
        if problems:
            # An Aggregate, which upstream answers with a 500: the client's mistake, a 400 here.
            raise errors.bad_request(errors.aggregate(problems))
        validate = self._validation(request, "CREATE", resource)
        if validate:
            validate(binding, None)
        return _respond(request, 201, self.registry.bind(request.info.namespace, name, binding,
                                                         dry_run=dry_run(request)))

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/storage.LegacyBindingREST).Create")
    def legacy_bind(self, request: Request) -> Response:
        """bindings: the Binding POSTed to the namespace's collection binds the pod its metadata
        names, as that pod's binding subresource would; admission sees a create of `bindings`."""
        return self.bind(request, discovery.LEGACY_BINDINGS, name_from_body=True)

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler")
    def token_request(self, request: Request, resource) -> Response:
        """serviceaccounts/NAME/token: a TokenRequest answered with a signed token, carrying the
        managedFields of its create as any created object does."""
        if self.token_key is None:
            raise errors.resource_not_served()
        begin_create(request)
        # checked field by field, against no schema: every value of a key written twice is type-checked
        decoded = decode_body(request, into_kind="TokenRequest",
                              prune_to=fieldvalidation.kind_schema("authentication.k8s.io", "v1", "TokenRequest"))[0] or {}
        body = decoding.merged(decoded, TOKEN_REQUEST_VALUE_STRUCTS)
        decode_as(body, scheme.GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest"), request.body)
        body = tokenrequest.decode_token_request(decoded, body)
        body = FieldManager(Schema.for_kind(TOKEN_REQUEST_VERSION, "TokenRequest"), TOKEN_REQUEST_VERSION,
                            "token", kind="TokenRequest").update(None, body, field_manager_of(request), self._time())
        self._admit_and_validate(request, "CREATE", resource, body, None)
        answer = tokenrequest.create_token(self.registry, self.token_key, request.info.namespace, request.info.name,
                                           body, self.now())
        return _respond(request, 201, gostruct.as_encoded(answer))

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.createHandler",
             "(*k8s.io/kubernetes/pkg/registry/core/pod/storage.EvictionREST).AcceptsGroupVersion")
    def evict(self, request: Request, resource) -> Response:
        """pods/NAME/eviction: createHandler for a policy/v1 (or v1beta1) Eviction, answered with
        EvictionREST's Status and the 201 createHandler gives it."""
        begin_create(request)
        request_dry_run = request.query.get("dryRun", []) if dry_run(request) else []
        decoded = decode_body(request, into_kind="Eviction", prune_to=EVICTION_SCHEMA)[0]
        body = decoding.merged(decoded, EVICTION_VALUE_STRUCTS) or {}  # no schema: see TokenRequest's
        gvk = decode_as(body, scheme.GroupVersionKind("policy", "v1", "Eviction"), request.body)
        if gvk.group_version not in eviction.ACCEPTED_VERSIONS:
            raise errors.api_version_mismatch(gvk.group_version, "policy/v1")
        try:
            _check_eviction_types(decoded or body, gvk.version)
        except StatusError as err:
            raise errors.bad_request(f"Eviction in version {gojson.quote(gvk.version)} cannot be handled as a "
                                     f"Eviction: {err.message}") from None
        if body.get("metadata") is None:
            body["metadata"] = {}  # null decodes as the zero ObjectMeta
        self._admit_and_validate(request, "CREATE", resource, body, None)
        status = eviction.EvictionREST(self.registry).create(request.info.namespace, request.info.name, body,
                                                             request_dry_run)
        return _respond(request, 201, {**status, "code": status.get("code") or 201})

    def scale_get(self, request: Request, resource) -> Response:
        negotiate_for(request)
        check_export(request)
        scale = self.registry.get_scale(resource, request.info.namespace, request.info.name,
                                        request.param("resourceVersion"))
        return self._output(request, 200, scale, resource)

    def scale_update(self, request: Request, resource) -> Response:
        negotiate_for(request)
        check_write_options(request, "UpdateOptions")  # UpdateResource's, before the body
        info = request.info
        try:
            scale = decode_body(request, into_kind="Scale",
                                prune_to=fieldvalidation.kind_schema("autoscaling", "v1", "Scale"))[0] or {}
            decode_as(scale, scheme.GroupVersionKind("autoscaling", "v1", "Scale"), request.body)
            scale = decoded_scale(scale)
        except StatusError as err:
            if not (resource.custom and err.code == 400):
                raise
            # transformDecodeError asks the CRD handler's scale scheme, which has no Scale, for the
            # kind it decodes into: that lookup's error is the answer to any body that fails.
            raise errors.bad_request('no kind is registered for the type v1.Scale in scheme '
                                     '"k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go:713"'
                                     ) from None
        check_name(scale, info.name, info.namespace)
        updated = self.registry.patch(resource, info.namespace, info.name,
                                      self._updated_object(request, resource, "scale", scale), subresource="scale",
                                      dry_run=dry_run(request),
                                      update_validation=self._validation(request, "UPDATE", resource),
                                      preconditions=uid_precondition(scale), warnings=request.warnings)
        return self._output(request, 200, updated, resource)

    def scale_patch(self, request: Request, resource) -> Response:
        negotiate_for(request)
        info = request.info
        media_type = patch_type_of(request)

        def decode(patched: dict) -> dict:
            if media_type == STRATEGIC_MERGE_PATCH and isinstance(patched, dict):  # through the converter
                fieldvalidation.convert_integers("autoscaling", "v1", "Scale", patched)
            if media_type in (JSON_PATCH, MERGE_PATCH) and isinstance(patched, dict) and not resource.custom:
                # DecodeInto the internal Scale goes by the apiVersion and kind the patch left.
                try:
                    scheme.for_group("autoscaling").decode(patched, SCALE_V1, None)
                except scheme.DecodeError as err:
                    raise undecodable_patch_result(patched, _codec_problem(patched, err)) from None
            try:
                return decode_scale(patched, info.name, info.namespace)
            except fieldvalidation.UndecodableError as err:
                if media_type not in (JSON_PATCH, MERGE_PATCH):
                    raise
                raise undecodable_patch_result(patched, err.problem) from None
        # A custom resource's scale is served by the CRD handler, which takes no strategic merge patch.
        apply = self._patcher(request, FieldManager.for_resource(resource, "scale"), ("autoscaling/v1", "Scale"),
                              CUSTOM_RESOURCE_PATCH_TYPES if resource.custom else PATCH_TYPES, decode)
        check_write_options(request, "PatchOptions", media_type)  # after the patch type, as PatchResource checks

        def patch_fn(current: dict) -> dict:
            scale = apply(current)
            if media_type == APPLY_PATCH:  # the other patches were decoded before the field manager
                scale = decode(scale)
            return self._admit(request, "UPDATE", resource, scale, current)

        patched = self.registry.patch(resource, info.namespace, info.name, patch_fn, subresource="scale",
                                      dry_run=dry_run(request),
                                      update_validation=self._validation(request, "UPDATE", resource),
                                      warnings=request.warnings)
        return self._output(request, 200, patched, resource)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/rest.LogREST).Get")
    def pod_log(self, request: Request, resource) -> Response | WatchResponse:
        """Stream the container's log from the kubelet of the pod's node (`kubectl logs`), opened by
        the adapter's `open_log`. Its route produces text/plain too, but getResourceHandler
        negotiates with the serializers first (JSON, YAML, protobuf; no Table): a client asking
        only for text/plain meets that 406."""
        options = negotiate(request.header("Accept"), tables=False)
        info = request.info
        check_log_options(request)
        pod = self.registry.get(resource, info.namespace, info.name)
        container = log_container(pod, request.param("container"))
        node_name = (pod.get("spec") or {}).get("nodeName")
        kubelet = self._kubelet_of(node_name, resource) if node_name else None
        check_stream_conversion(options)
        if kubelet is None:  # no location to stream from: StreamObject's bare 204, no Content-Type
            return Response(204, b"", "")
        host, port = kubelet
        query = kubelet_log_query(request)
        path = "/containerLogs/" + "/".join(urllib.parse.quote(p, safe="") for p in
                                            (info.namespace, info.name, container))
        location = LogLocation(host, port, path + ("?" + urllib.parse.urlencode(query) if query else ""),
                               follow=query_bool(request.query.get("follow")))
        chunks, stop = self.open_log(location)
        return self._stream(chunks, stop, content_type="text/plain")

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/client.NodeConnectionInfoGetter).GetConnectionInfo")
    def _kubelet_of(self, node_name: str, resource) -> tuple[str, int]:
        try:
            node = self.registry.get("nodes", None, node_name)
        except StatusError as err:
            if err.code != 404:
                raise
            # The node store's Get names its NotFound by the request's resource
            # (qualifiedResourceFromContext): `pods "<node>" not found`.
            raise errors.not_found(resource.plural, node_name, resource.group) from None
        return kubelet_endpoint(node)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/rest.ExecREST).Connect",
             "(*k8s.io/kubernetes/pkg/registry/core/pod/rest.AttachREST).Connect",
             "(*k8s.io/apimachinery/pkg/util/proxy.UpgradeAwareHandler).ServeHTTP")
    def pod_exec(self, request: Request, resource) -> UpgradeResponse:
        """Where to proxy `kubectl exec`'s or `kubectl attach`'s upgrade: the pod's kubelet, once
        the user may `create` pods/exec (pods/attach), the container is the pod's and the pod has a
        node; a request that does not ask to upgrade is refused only then, as the proxy handler
        refuses it."""
        info = request.info
        self._ensure_authorized_for_verb(request, "create")
        check_connect_dry_run(request)
        pod = self.registry.get(resource, info.namespace, info.name)
        options = (podexec.exec_options if info.subresource == "exec" else podexec.attach_options)(request.query)
        path = podexec.exec_path(pod, options, info.subresource)
        host, port = self._kubelet_of(pod["spec"]["nodeName"], resource)
        if not is_upgrade_request(request):
            raise errors.bad_request("Upgrade request required")
        return UpgradeResponse(host, port, path)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/rest.PortForwardREST).Connect")
    def pod_port_forward(self, request: Request, resource) -> UpgradeResponse:
        """Where to proxy `kubectl port-forward`'s upgrade: the kubelet of the pod's node, with the
        same authorization and upgrade checks as exec."""
        info = request.info
        self._ensure_authorized_for_verb(request, "create")
        check_connect_dry_run(request)
        ports = podexec.port_forward_ports(request.query)  # getRequestOptions: before the pod is read
        pod = self.registry.get(resource, info.namespace, info.name)
        path = podexec.port_forward_path(pod, ports)
        host, port = self._kubelet_of(pod["spec"]["nodeName"], resource)
        if not is_upgrade_request(request):
            raise errors.bad_request("Upgrade request required")
        return UpgradeResponse(host, port, path)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/rest.ProxyREST).Connect",
             "(*k8s.io/kubernetes/pkg/registry/core/service.ProxyREST).Connect",
             "(*k8s.io/kubernetes/pkg/registry/core/node/rest.ProxyREST).Connect")
    def proxy(self, request: Request, resource) -> resourceproxy.ProxyResponse:
        """Where `<resource>/<[scheme:]name[:port]>/proxy/<path>` goes: the pod, a ready address
        of the service or the node's kubelet, with the path after `proxy`. Authorized as the
        method's verb on the subresource, as any request is; there is no `proxy` verb here."""
        info = request.info
        if request.method not in resourceproxy.PROXY_METHODS:
            raise errors.generic_server_response(405)
        request.routed = True
        check_connect_dry_run(request)
        if resource.plural == "services":
            location = resourceproxy.service_location(self.registry.get, info.namespace, info.name)
        elif resource.plural == "pods":
            scheme, name, port = resourceproxy.parse_id("pod", info.name)
            location = resourceproxy.pod_location(self.registry.get(resource, info.namespace, name), scheme, port)
        else:
            scheme, name, port = resourceproxy.parse_id("node", info.name)
            location = resourceproxy.node_location(self._kubelet_of(name, resource), scheme, port,
                                                   resourceproxy.resolve_host)
        path = resourceproxy.join_preserving_trailing_slash("", resourceproxy.sub_path(info.parts, info.path))
        return resourceproxy.ProxyResponse(location, resourceproxy.backend_path(path, info.path), info.path)

    def _ensure_authorized_for_verb(self, request: Request, verb: str) -> None:
        """A request authorized for its own verb that needs another too: a WebSocket client GETs
        pods/exec and was authorized to `get` it, but exec must also be allowed to `create` it, as
        SPDY's POST always was (1.35's ensureAuthorizedForVerb, after the analysed 1.24,
        kubernetes#133515); a PUT or an apply that creates its object must be allowed to `create`
        it (withAuthorization). The 403 names only the authorizer's reason."""
        info = request.info
        if info.verb == verb or self.authorizer is None:
            return
        allowed, reason = self.authorizer.authorize(AttributesRecord(
            request.user, verb, info.namespace, info.api_group, info.api_version, info.resource,
            info.subresource, info.name, info.path, info.is_resource_request))
        if not allowed:
            raise StatusError(403, "Forbidden", f'{errors.qualified(info.resource, info.api_group)} "{info.name}" '
                                                f"is forbidden: {reason}",
                              errors.status_details(info.resource, info.api_group, info.name))

    @mirrors("k8s.io/apiserver/pkg/endpoints/handlers.serveWatch",
             "k8s.io/apiserver/pkg/endpoints/handlers/negotiation.NegotiateOutputMediaTypeStream",
             "(*k8s.io/apiserver/pkg/endpoints/handlers.WatchServer).ServeHTTP")
    def watch(self, request: Request, resource) -> WatchResponse:
        options = negotiate_for(request)
        if options.serializer == "protobuf" and not options.convert and \
                not protobuf.has_layout(resource.api_version, resource.kind):
            # A kind our layouts lack goes as JSON to a client that takes it too (as `_respond`
            # sends it), rather than a stream that ends at its first event, to be watched again.
            options = negotiate_without_protobuf(request) or options
        # DecodeParameters reads timeoutSeconds, then limit (a watch ignores it, but it must be an
        # int64); ValidateListOptions forbids resourceVersionMatch only for ?watch=, not for a
        # watch that the /watch/ prefix asked for.
        timeout = watch_timeout(query_int64(request, "timeoutSeconds"), random.random())
        query_int64(request, "limit")
        # The conversion to the internal ListOptions parses the selectors (a 400), then
        # ValidateListOptions runs (a 422), as for a list.
        selectors.parse_label_selector(request.param("labelSelector"))
        selectors.parse_field_selector(request.param("fieldSelector"))
        listoptions.resource_version_match(request.param("resourceVersionMatch"), request.param("resourceVersion"),
                                           request.param("continue"), query_bool(request.query.get("watch")))
        field_selector = request.param("fieldSelector")
        if request.info.name:
            # ListResource transforms the selector's labels (a field the kind does not know is a
            # 400) before it compares the name.
            selectors.parse_field_selector(field_selector, self.registry.resource(resource).field_label_conversion)
            field_selector = name_field_selector(request.info.name, field_selector)
        watch = self.registry.watch(resource, request.info.namespace or None, request.param("labelSelector"),
                                    field_selector, request.param("resourceVersion"),
                                    allow_bookmarks=query_bool(request.query.get("allowWatchBookmarks")),
                                    timeout=timeout)
        try:
            include = table_options(request, options)
            if options.serializer == "yaml":
                raise StatusError(406, "NotAcceptable", f"only the following media types are accepted: "
                                                        f"{', '.join(STREAM_MEDIA_TYPES)}")
        except StatusError:
            watch.stop()
            raise
        # A negative timeout ends the watch at once, as Go's time.NewTimer fires at once for one.
        timer = threading.Timer(min(max(timeout, 0), threading.TIMEOUT_MAX), watch.stop)
        timer.daemon = True
        timer.start()

        def stop() -> None:
            watch.stop()
            timer.cancel()

        def frames() -> Iterator[bytes]:
            no_headers = False  # the watch's Fixup sets NoHeaders once it has made one Table
            for event_type, obj in watch:
                if event_type == "BOOKMARK" and options.convert == "PartialObjectMetadata":
                    # The watch's Fixup makes every object but an ERROR's Status metadata only: a
                    # BOOKMARK's object of the watched kind is one a metadata client cannot decode.
                    obj = as_partial_object_metadata(obj, options, resource)
                elif event_type == "BOOKMARK" and options.convert == "Table" and resource.custom:
                    # A custom resource's BOOKMARK is a Table too, of one row for the empty object
                    # (an empty name, no cells); a built-in kind's is left as it is here.
                    obj = self._as_table(obj, resource, include, options.version, no_headers)
                    no_headers = True
                elif event_type in ("ADDED", "MODIFIED", "DELETED"):
                    if options.convert == "Table":
                        obj = self._as_table(obj, resource, include, options.version, no_headers)
                        no_headers = True
                    elif options.convert == "PartialObjectMetadata":
                        obj = as_partial_object_metadata(obj, options, resource)
                    elif options.convert == "PartialObjectMetadataList":
                        # The watch's Fixup leaves an object it cannot make a list as it is, which
                        # the encoder for meta.k8s.io/v1 cannot write: the watch ends, no frame sent.
                        return
                if options.serializer == "protobuf":
                    try:
                        yield self.protobuf_frames.frame(event_type, obj)
                    except protobuf.ProtobufError as err:
                        # The watch ends with an ERROR event saying why, as for a compacted revision.
                        failure = errors.internal_error(f"cannot encode the watch event as protobuf: {err}")
                        yield protobuf.watch_frame("ERROR", failure.status())
                        return
                    continue
                yield self.json_frames.frame(event_type, obj)

        def chunks() -> Iterator[bytes]:
            """The frames, written out together while more events wait behind them: one write
            (and one TLS record) per burst instead of per event."""
            batch: list[bytes] = []
            size = 0
            for frame in frames():
                batch.append(frame)
                size += len(frame)
                if size < WATCH_FLUSH_BYTES and watch.pending():
                    continue
                yield b"".join(batch)
                batch.clear()
                size = 0
            if batch:
                yield b"".join(batch)

        if options.serializer == "protobuf":
            return self._stream(chunks, stop, content_type=protobuf.MEDIA_TYPE + ";stream=watch")
        return self._stream(chunks, stop)

    def _stream(self, chunks: Callable[[], Iterator[bytes]], stop: Callable[[], None],
                **response_options) -> WatchResponse:
        """A streaming response that `stop_watches` can end from the moment it exists: the client
        has its headers before the first chunk is asked for. Ending, either way, runs `stop` once."""
        def stop_once() -> None:
            with self._lock:
                if stop_once not in self._watches:
                    return
                self._watches.discard(stop_once)
            stop()

        def guarded() -> Iterator[bytes]:
            try:
                yield from chunks()
            finally:
                stop_once()

        with self._lock:
            self._watches.add(stop_once)
        return WatchResponse(guarded(), stop_once, **response_options)

    def stop_watches(self) -> None:
        """End every open watch stream (the server is stopping)."""
        with self._lock:
            stops = list(self._watches)
        for stop in stops:
            stop()
