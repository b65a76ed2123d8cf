"""The PodTemplate kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.podvalidation import pod_template_spec_problems
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, kind, list_kind
from reference_impl.apiserver.kinds._podspec import TEMPLATE, ZERO_TEMPLATE
from reference_impl.apiserver.kinds._columns import NAME, labels_cell, name_cell, part, template_containers
from reference_impl.apiserver.kinds._defaulting import template_defaults
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodTemplate")
def validate_pod_template(obj: dict) -> list[str]:
    return pod_template_spec_problems(part(obj, "template"), "template")


def pod_template(obj: dict, spec: dict) -> None:
    template_defaults(obj)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/podtemplate.podTemplateStrategy).PrepareForCreate")
def prepare_for_create(obj: dict, user: object) -> None:
    obj["metadata"]["generation"] = 1


@mirrors("(k8s.io/kubernetes/pkg/registry/core/podtemplate.podTemplateStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """A pod template has no spec: a change of its template is a new generation."""
    if new.get("template") != old.get("template"):
        new["metadata"]["generation"] = old["metadata"].get("generation", 0) + 1


RESOURCES = (
    Resource("", "v1", "PodTemplate", "podtemplates", "podtemplate", True, validator=validate_pod_template,
             return_deleted_object=True,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             zero_value={"template": ZERO_TEMPLATE}),
)


DEFAULTS = {"PodTemplate": pod_template}
NO_SPEC = ("PodTemplate",)


DEFINITIONS = {
    CORE + "PodTemplate": kind("", "v1", "PodTemplate", "A pod template kept for others to use.",
                               template=TEMPLATE),
    CORE + "PodTemplateList": list_kind("", "v1", CORE + "PodTemplate"),
}


def _pod_template(obj: dict, now: float) -> list:
    names, images = template_containers(part(obj, "template", "spec"))
    return [name_cell(obj), names, images, labels_cell(part(obj, "template", "metadata").get("labels"))]


PRINTERS = {
    "PodTemplate": ([NAME, ("Containers", "string", 0, "Names of each container in the template."),
                     ("Images", "string", 0, "Images referenced by each container in the template."),
                     ("Pod Labels", "string", 0, "The labels for the pod template.")], _pod_template),
}


MESSAGES = """
core.PodTemplate: 1 metadata! meta.ObjectMeta; 2 template! core.PodTemplateSpec
core.PodTemplateList: 1 metadata! meta.ListMeta; 2 items* []core.PodTemplate
"""
