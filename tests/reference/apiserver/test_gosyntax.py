"""Go's %#v of internal structs (core.gosyntax), each expectation copied from a real 1.24
kube-apiserver's message about a Job template holding the same values (pointer addresses at the
reference's one fixed address)."""
from __future__ import annotations

from reference_impl.apiserver.core.gosyntax import go_syntax

NIL_PROBES = ("LivenessProbe:(*core.Probe)(nil), ReadinessProbe:(*core.Probe)(nil), StartupProbe:(*core.Probe)(nil), "
              "Lifecycle:(*core.Lifecycle)(nil)")


def test_a_struct_prints_every_field_in_order_nil_slices_and_set_ones_apart():
    """An empty list is `[]T{}`, an absent one `[]T(nil)`; ports' structs are printed whole."""
    container = {"name": "c", "image": "nginx:1", "command": [], "args": ["a", "b c"], "workingDir": "/w",
                 "ports": [{"name": "http", "hostPort": 8080, "containerPort": 80, "protocol": "TCP", "hostIP": "0.0.0.0"},
                           {"containerPort": 53, "protocol": "UDP"}],
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                 "imagePullPolicy": "Always", "tty": True}
    assert go_syntax("core.Container", container) == (
        'core.Container{Name:"c", Image:"nginx:1", Command:[]string{}, Args:[]string{"a", "b c"}, WorkingDir:"/w", '
        'Ports:[]core.ContainerPort{core.ContainerPort{Name:"http", HostPort:8080, ContainerPort:80, Protocol:"TCP", '
        'HostIP:"0.0.0.0"}, core.ContainerPort{Name:"", HostPort:0, ContainerPort:53, Protocol:"UDP", HostIP:""}}, '
        'EnvFrom:[]core.EnvFromSource(nil), Env:[]core.EnvVar(nil), Resources:core.ResourceRequirements{'
        'Limits:core.ResourceList(nil), Requests:core.ResourceList(nil)}, VolumeMounts:[]core.VolumeMount(nil), '
        f'VolumeDevices:[]core.VolumeDevice(nil), {NIL_PROBES}, TerminationMessagePath:"/dev/termination-log", '
        'TerminationMessagePolicy:"File", ImagePullPolicy:"Always", SecurityContext:(*core.SecurityContext)(nil), '
        'Stdin:false, StdinOnce:false, TTY:true}')


def test_a_resource_list_prints_its_quantities_by_sorted_name():
    resources = {"limits": {"memory": "128Mi", "cpu": "500m"}}
    assert go_syntax("core.ResourceRequirements", resources) == (
        'core.ResourceRequirements{Limits:core.ResourceList{"cpu":resource.Quantity{i:resource.int64Amount{value:500, '
        'scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}, '
        '"memory":resource.Quantity{i:resource.int64Amount{value:134217728, scale:0}, d:resource.infDecAmount{'
        'Dec:(*inf.Dec)(nil)}, s:"", Format:"BinarySI"}}, Requests:core.ResourceList(nil)}')


def test_pointers_print_as_addresses_and_embedded_structs_by_their_type_name():
    """A volume's source is embedded (JSON inlines it): Go names the field after its type."""
    assert go_syntax("[]core.Toleration", [{"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]) == (
        '[]core.Toleration{core.Toleration{Key:"", Operator:"Exists", Value:"", Effect:"NoExecute", '
        'TolerationSeconds:(*int64)(0xc000000000)}}')
    volume = go_syntax("core.Volume", {"name": "v1", "emptyDir": {}})
    assert volume.startswith('core.Volume{Name:"v1", VolumeSource:core.VolumeSource{HostPath:(*core.HostPathVolumeSource)'
                             '(nil), EmptyDir:(*core.EmptyDirVolumeSource)(0xc000000000), GCEPersistentDisk:')


def test_a_map_prints_its_keys_sorted_and_a_nil_time_pointer_as_nil():
    meta = go_syntax("v1.ObjectMeta", {"labels": {"zone": "a", "disk": "ssd"}})
    assert 'Labels:map[string]string{"disk":"ssd", "zone":"a"}, Annotations:map[string]string(nil)' in meta
    assert "CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>" in meta


def test_a_time_before_year_one_prints_as_go_s_time_date():
    """Go's time.Date prints any year, year 0 (1 BC, proleptic Gregorian) and before too."""
    meta = go_syntax("v1.ObjectMeta", {"creationTimestamp": "0000-01-01T00:00:00Z"})
    assert "CreationTimestamp:time.Date(0, time.January, 1, 0, 0, 0, 0, time.Local)" in meta
    meta = go_syntax("v1.ObjectMeta", {"creationTimestamp": "0000-01-01T00:00:01+00:02"})
    assert "CreationTimestamp:time.Date(-1, time.December, 31, 23, 58, 1, 0, time.Local)" in meta
    meta = go_syntax("v1.ObjectMeta", {"creationTimestamp": "2024-02-29T13:14:15Z"})
    assert "CreationTimestamp:time.Date(2024, time.February, 29, 13, 14, 15, 0, time.Local)" in meta
