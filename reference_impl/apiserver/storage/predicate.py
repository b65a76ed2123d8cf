"""The SelectionPredicate a list or watch filters with, and the one exact field value it pins.

Mirrors `k8s.io/apiserver/pkg/storage.SelectionPredicate`: callable on an object like any
predicate, plus `matcher_index(field)`, the value a selector like `spec.nodeName=X` requires of
`field` (MatcherIndex). The Cacher files a watcher under that value when its resource indexes the
field (the pod registry's `spec.nodeName` trigger, `NodeNameTriggerFunc`), so an event reaches only
the watchers of the nodes it was or is on instead of being matched against every kubelet's watch.
"""
from __future__ import annotations

from typing import Callable

from reference_impl.machinery.fields import FieldSelector, object_fields
from reference_impl.machinery.labels import LabelSelector
from reference_impl.mirrors import mirrors


class SelectionPredicate:
    def __init__(self, labels: LabelSelector, fields: FieldSelector, field_paths: tuple[str, ...]):
        self.labels, self.fields, self.field_paths = labels, fields, field_paths
        # Of the selectable fields (a pod has nine) only those the selector names are read: the
        # predicate runs twice per event for each watcher that has one (the object and its
        # previous state), and for every object a cached list filters. A named field that is not
        # selectable reads as "" either way.
        named = {requirement.field for requirement in fields.requirements}
        self._read_paths = tuple(path for path in field_paths if path in named)

    def __call__(self, obj: dict) -> bool:
        return (self.labels.matches(obj.get("metadata", {}).get("labels"))
                and self.fields.matches(object_fields(obj, self._read_paths)))

    @mirrors("(*k8s.io/apiserver/pkg/storage.SelectionPredicate).MatcherIndex")
    def matcher_index(self, field: str) -> str | None:
        """The value `field` must equal for an object to match (a `field=value` requirement), or
        None when the selector does not pin it."""
        for requirement in self.fields.requirements:
            if requirement.field == field and requirement.operator == "=":
                return requirement.value
        return None


def field_trigger(field: str) -> Callable[[dict], str]:
    """The trigger function of an indexed field: the object's value of it ("" when unset), as
    `NodeNameTriggerFunc` returns pod.Spec.NodeName."""
    paths = (field,)
    return lambda obj: object_fields(obj, paths)[field]
