"""Proto3 strings as etcd 3.4's gogo-generated code reads and writes them: bytes, never checked
for UTF-8.

Python's protobuf refuses a string field that is not UTF-8, reading and writing; etcd takes any
bytes (a user added under a Latin-1 name is listed under it). A request protobuf refused for
that is read again with a lenient twin of its class, whose string fields are bytes, and handed
on as `TextFields`: its strings as `str`, the bytes that are not UTF-8 kept as surrogates
(surrogateescape), which the core stores and logs like any name. A response holding such a name
is written with the twin class (`new_message`).
"""
from __future__ import annotations

from aetcd.rpc import rpc_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from reference_impl.etcd.messages import bytes_of, string_of

_LENIENT_POOL = descriptor_pool.DescriptorPool()


def _bytes_for_strings(messages) -> None:
    for message in messages:
        for field in message.field:
            if field.type == descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
                field.type = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES
        _bytes_for_strings(message.nested_type)


def _add_lenient(file) -> None:
    """etcd's .proto file (and those it imports) into the lenient pool, strings made bytes."""
    for dependency in file.dependencies:
        _add_lenient(dependency)
    try:
        _LENIENT_POOL.FindFileByName(file.name)
        return
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    file.CopyToProto(proto)
    _bytes_for_strings(proto.message_type)
    _LENIENT_POOL.Add(proto)


_add_lenient(rpc_pb2.DESCRIPTOR)


def lenient_class(message_class: type) -> type:
    """The twin of one of etcd's message classes whose string fields are bytes."""
    return message_factory.GetMessageClass(
        _LENIENT_POOL.FindMessageTypeByName(message_class.DESCRIPTOR.full_name))


class TextFields:
    """A lenient message read as its strict class would be: string fields as `str` (see the
    module), nested messages alike; anything else (HasField, WhichOneof...) from the message."""

    def __init__(self, message, descriptor: Descriptor) -> None:
        self._message = message
        self._descriptor = descriptor

    def __getattr__(self, name: str):
        value = getattr(self._message, name)
        field = self._descriptor.fields_by_name.get(name)
        if field is None:
            return value
        if field.type == FieldDescriptor.TYPE_STRING:
            return [string_of(v) for v in value] if field.is_repeated else string_of(value)
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.is_repeated:
                return [TextFields(v, field.message_type) for v in value]
            return TextFields(value, field.message_type)
        return value


def read_lenient(message_class: type, data: bytes) -> TextFields:
    """`data` read as `message_class` whatever bytes its strings hold."""
    return TextFields(lenient_class(message_class).FromString(data), message_class.DESCRIPTOR)


def new_message(message_class: type, **fields):
    """message_class(**fields); its lenient twin holding the same when a string field holds
    bytes that are not UTF-8 (a `str` with surrogates, as TextFields gave it)."""
    try:
        return message_class(**fields)
    except UnicodeEncodeError:
        pass
    strings = message_class.DESCRIPTOR.fields_by_name
    rest = {name: value for name, value in fields.items() if strings[name].type != FieldDescriptor.TYPE_STRING}
    twin = lenient_class(message_class).FromString(message_class(**rest).SerializeToString())
    for name in fields.keys() - rest.keys():
        if strings[name].is_repeated:
            getattr(twin, name).extend(map(bytes_of, fields[name]))
        else:
            setattr(twin, name, bytes_of(fields[name]))
    return twin
