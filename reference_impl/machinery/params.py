"""Query parameters read as apimachinery's parameter codec converts them: the apiserver and the
kubelet decode the same option structs from a URL's query."""
from __future__ import annotations

from reference_impl.mirrors import mirrors


@mirrors("k8s.io/apimachinery/pkg/runtime.Convert_Slice_string_To_bool")
def query_bool(values: list[str] | None) -> bool:
    """A query parameter's values as a bool: absent is false, a first value of "0" or "false" (in
    any case) is false, anything else is true, even an empty value (`?follow=`)."""
    if not values:
        return False
    return not (values[0] == "0" or values[0].lower() == "false")


# core/v1's ExecStdinParam, ExecStdoutParam, ExecStderrParam and ExecTTYParam: the names the
# apiserver gives the streams in the query it sends the kubelet (a client's query names them
# stdin, stdout, stderr and tty, as PodExecOptions' fields are named).
KUBELET_STREAM_PARAMS = {"stdin": "input", "stdout": "output", "stderr": "error", "tty": "tty"}
