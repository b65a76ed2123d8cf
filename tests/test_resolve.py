"""The resolver, one rule per test, on small Go programs written inline.

Each test builds a module `example.com/app` from strings; `LIBRARY` stands in for the standard
library (the same code path as a real GOROOT: its files are only looked up, never resolved).
"""
from __future__ import annotations

import pytest

from analyzer import graph
from analyzer.buildtags import BuildContext
from analyzer.gotypes import element_of
from analyzer.modules import build_module_map
from analyzer.parse import parse_source
from analyzer.resolve import calls as calls_module
from analyzer.resolve import resolve
from analyzer.store import FileRecord

LIBRARY = {
    "context/context.go": """package context
type Context interface { Done() <-chan struct{}; Err() error }
func Background() Context { return nil }
""",
    "sync/mutex.go": """package sync
type Mutex struct{ state int32 }
func (m *Mutex) Lock() {}
func (m *Mutex) Unlock() {}
type WaitGroup struct{}
func (wg *WaitGroup) Done() {}
""",
    "strings/strings.go": """package strings
func ToUpper(s string) string { return s }
""",
}
APP = "example.com/app"


def program_files(files: dict[str, str], module: str = APP) -> list:
    sources = {"go.mod": f"module {module}\n\ngo 1.20\n".encode(),
               **{path: text.encode() for path, text in files.items()}}
    modules = build_module_map(list(sources), sources.get)
    return [(FileRecord(path, f"sha-{path}", modules.import_path_of(path), "parsed"),
             parse_source(source)) for path, source in sources.items() if path.endswith(".go")]


def library_files() -> list:
    return [(FileRecord(path, f"sha-{path}", path.rpartition("/")[0], "parsed"),
             parse_source(text.encode())) for path, text in LIBRARY.items()]


def edges_of(files: dict[str, str], with_library: bool = True) -> list[graph.Edge]:
    """The edges, each interface call followed by an implementation edge per candidate, as
    queries expand them."""
    resolution = resolve(program_files(files), library_files() if with_library else [])
    found: dict[str, list[graph.Implements]] = {}
    for row in resolution.implements:
        found.setdefault(row.interface_method, []).append(row)
    edges = []
    for edge in resolution.edges:
        if graph.SIGNATURE in (edge.kind, edge.via):
            continue  # a placeholder that queries expand; see the signature tests
        edges.append(edge)
        if edge.kind == graph.INTERFACE:
            edges.extend(edge._replace(callee=row.method, kind=graph.IMPLEMENTATION)
                         for row in found.get(edge.callee, ()))
    return edges


def calls(files: dict[str, str], caller: str, **options) -> set[tuple[str, str]]:
    """(callee, kind) of every edge whose caller is `caller` (short names are qualified)."""
    return {(e.callee, e.kind) for e in edges_of(files, **options) if e.caller == caller}


def test_package_qualified_call_through_an_alias():
    files = {"util/u.go": "package util\nfunc Help() {}\n",
             "main.go": "package main\nimport u \"example.com/app/util\"\nfunc main() { u.Help() }\n"}
    assert calls(files, f"{APP}.main") == {(f"{APP}/util.Help", graph.STATIC)}


def test_dot_import_and_same_package_calls():
    files = {"util/u.go": "package util\nfunc Help() {}\n",
             "main.go": "package main\nimport . \"example.com/app/util\"\nfunc main() { Help(); local() }\n"
                        "func local() {}\n"}
    assert calls(files, f"{APP}.main") == {(f"{APP}/util.Help", graph.STATIC),
                                           (f"{APP}.local", graph.STATIC)}


def test_builtins_and_conversions_are_not_calls():
    files = {"main.go": "package main\ntype Name string\nfunc main() { s := make([]int, 0); "
                        "_ = len(s); _ = Name(\"x\"); _ = string(\"y\") }\n"}
    assert calls(files, f"{APP}.main") == set()


def test_method_on_the_receiver_keeps_pointer_and_value_receivers_apart():
    files = {"s.go": "package app\ntype S struct{}\nfunc (s *S) Run() { s.step(); s.name() }\n"
                     "func (s *S) step() {}\nfunc (s S) name() string { return \"\" }\n"}
    assert calls(files, f"(*{APP}.S).Run") == {(f"(*{APP}.S).step", graph.METHOD),
                                               (f"({APP}.S).name", graph.METHOD)}


def test_receiver_types_from_parameters_vars_and_literals():
    files = {"s.go": """package app
type S struct{}
func (s *S) M() {}
func NewS() *S { return &S{} }
func f(p *S) {
	p.M()
	var v S
	v.M()
	c := &S{}
	c.M()
	n := new(S)
	n.M()
	r := NewS()
	r.M()
}
"""}
    edges = [e for e in edges_of(files) if e.caller == f"{APP}.f" and e.kind == graph.METHOD]
    assert sorted(e.line for e in edges) == [6, 8, 10, 12, 14]
    assert {e.callee for e in edges} == {f"(*{APP}.S).M"}


def test_method_chains_through_declared_results():
    files = {"c.go": """package app
type Client struct{}
type Request struct{}
func (c *Client) Get() *Request { return nil }
func (r *Request) Namespace(ns string) *Request { return r }
func (r *Request) Do() {}
func use(c *Client) {
	c.Get().
		Namespace("x").
		Do()
}
"""}
    assert calls(files, f"{APP}.use") == {(f"(*{APP}.Client).Get", graph.METHOD),
                                          (f"(*{APP}.Request).Namespace", graph.METHOD),
                                          (f"(*{APP}.Request).Do", graph.METHOD)}


def test_struct_fields_embedding_and_promoted_methods():
    files = {"e.go": """package app
type Base struct{}
func (b *Base) Hello() {}
type Queue struct{}
func (q *Queue) Add() {}
type Outer struct {
	*Base
	queue Queue
}
func (o *Outer) Run() { o.Hello(); o.queue.Add() }
"""}
    assert calls(files, f"(*{APP}.Outer).Run") == {(f"(*{APP}.Base).Hello", graph.METHOD),
                                                   (f"(*{APP}.Queue).Add", graph.METHOD)}


def test_element_types_of_maps_slices_channels_and_range_variables():
    files = {"r.go": """package app
type Pod struct{}
func (p *Pod) Name() string { return "" }
func f(m map[string]*Pod, s []*Pod, ch chan *Pod) {
	m["a"].Name()
	s[0].Name()
	(<-ch).Name()
	for _, p := range s {
		p.Name()
	}
	for k := range m {
		_ = k
	}
}
"""}
    edges = [e for e in edges_of(files) if e.caller == f"{APP}.f"]
    assert [e.line for e in edges if e.callee == f"(*{APP}.Pod).Name"] == [5, 6, 7, 9]


def test_type_assertions_and_type_switch_cases():
    files = {"t.go": """package app
type A struct{}
func (A) Hit() {}
type B struct{}
func (*B) Hit() {}
func f(x interface{}) {
	x.(A).Hit()
	switch v := x.(type) {
	case *B:
		v.Hit()
	case A:
		v.Hit()
	}
}
"""}
    edges = {(e.line, e.callee) for e in edges_of(files) if e.caller == f"{APP}.f"}
    assert edges == {(7, f"({APP}.A).Hit"), (10, f"(*{APP}.B).Hit"), (12, f"({APP}.A).Hit")}


def test_a_shadowed_name_is_typed_by_the_binding_in_force():
    files = {"d.go": """package app
type Outer struct{ In Inner }
type Inner struct{}
func (in *Inner) DeepCopyInto(out *Inner) {}
func (in *Outer) DeepCopyInto(out *Outer) {
	in, out := &in.In, &out.In
	in.DeepCopyInto(out)
}
"""}
    assert calls(files, f"(*{APP}.Outer).DeepCopyInto") == {
        (f"(*{APP}.Inner).DeepCopyInto", graph.METHOD)}


def test_closures_see_their_parents_variables_and_are_named_like_go_ssa():
    files = {"c.go": """package app
type S struct{}
func (s *S) Work() {}
func Run(s *S) {
	go func() {
		s.Work()
	}()
	func() {}()
}
"""}
    edges = edges_of(files)
    assert (f"{APP}.Run$1", graph.GO, graph.CLOSURE) in {(e.callee, e.kind, e.via) for e in edges}
    assert (f"{APP}.Run$2", graph.CLOSURE) in calls(files, f"{APP}.Run")
    assert calls(files, f"{APP}.Run$1") == {(f"(*{APP}.S).Work", graph.METHOD)}


def test_go_and_defer_wrap_the_underlying_kind_at_the_keyword():
    files = {"g.go": "package app\nfunc work() {}\nfunc f() {\n\tgo work()\n\tdefer\twork()\n}\n"}
    edges = {(e.kind, e.via, e.line) for e in edges_of(files) if e.caller == f"{APP}.f"}
    assert edges == {(graph.GO, graph.STATIC, 4), (graph.DEFER, graph.STATIC, 5)}


def test_a_function_in_a_positional_struct_literal_is_stored_in_a_field():
    """`T{work}` stores work in T's first field, but its edge said "stored in an element", as a
    slice's would: a struct literal's unkeyed element is a field."""
    files = {"s.go": "package app\ntype T struct{ run func() }\nfunc work() {}\n"
                     "func f() { _ = T{work}; _ = []func(){work} }\n"}
    vias = sorted(e.via for e in edges_of(files, with_library=False)
                  if (e.caller, e.callee, e.kind) == (f"{APP}.f", f"{APP}.work", graph.FUNCVALUE))
    assert vias == ["stored in an element", "stored in field run"]



def test_literals_thousands_deep_step_down_each_element_type_once(monkeypatch):
    """A struct literal 2,000 element types down from the one written ([]…[]T{{…{Run: f}…}})
    stores f in T's field Run; the literals inside one written literal share its steps down, so
    an element type is taken once per level, not once per level for every literal below it."""
    steps = []
    monkeypatch.setattr(calls_module, "element_of",
                        lambda t: steps.append(t) or element_of(t))
    n = 2000
    files = {"s.go": "package app\ntype T struct{ Run func() }\nfunc f() {}\nvar x = "
                     + "[]" * n + "T" + "{" * n + "Run: f" + "}" * n + "\n"}
    vias = {e.via for e in edges_of(files, with_library=False) if e.callee == f"{APP}.f"}
    assert vias == {"stored in field Run"}
    assert len(steps) <= 2 * n

POSITIONAL = {"lib/lib.go": """package lib
type Hooks struct {
	Name  string
	Start func()
	Stop  func()
}
func (h *Hooks) Run() { h.Start(); h.Stop() }
""", "app.go": """package app
import "example.com/app/lib"
type Handler func()
type Inner struct{ check func() bool }
type Outer struct {
	Handler
	name  string
	inner Inner
	a, b  func()
}
func one()     {}
func two()     {}
func three()   {}
func four()    {}
func yes() bool { return true }
func start()   {}
func stop()    {}
func tabled()  {}
func pointed() {}
func main() {
	o := &Outer{one, "x", Inner{yes}, two, three}
	o.Handler()
	o.a()
	o.b()
	o.inner.check()
	h := lib.Hooks{"n", start, stop}
	h.Run()
	table := []Outer{{Handler: four}, {tabled, "t", Inner{}, nil, nil}}
	for _, t := range table {
		t.Handler()
	}
	ptrs := map[string]*Inner{"p": {func() bool { pointed(); return false }}}
	ptrs["p"].check()
}
"""}


def test_each_element_of_a_positional_struct_literal_flows_to_its_field_by_index():
    """`&Outer{one, "x", Inner{yes}, two, three}`: each unkeyed element is the field in its
    position, counting an embedded field (Handler) and each name of `a, b func()`, through a
    pointer, a nested literal, a struct of another package (lib.Hooks{"n", start, stop}) and
    literals whose type is left out (`{tabled, …}` in []Outer{…}, `{func() …}` as a
    map[string]*Inner value), where only keyed elements reached their fields. The value calls'
    edges are those `callgraph -algo=vta` gives for this program (VTA is field-based: every
    Handler stored reaches every call of the field)."""
    main = f"{APP}.main"
    stores = {("app.go", line) for line in (21, 26, 28, 32)}  # the literals' own edges
    value_calls = {(e.caller, e.callee, e.line) for e in edges_of(POSITIONAL, with_library=False)
                   if e.kind == graph.FUNCVALUE and (e.path, e.line) not in stores}
    handlers = {(main, f"{APP}.{name}", line) for line in (22, 30)
                for name in ("one", "four", "tabled")}
    assert value_calls == handlers | {
        (main, f"{APP}.two", 23), (main, f"{APP}.three", 24),
        (main, f"{APP}.yes", 25), (main, f"{APP}.main$1", 25),
        (main, f"{APP}.yes", 33), (main, f"{APP}.main$1", 33),
        (f"(*{APP}/lib.Hooks).Run", f"{APP}.start", 7),
        (f"(*{APP}/lib.Hooks).Run", f"{APP}.stop", 7)}


SELECT_RECEIVE = {"w.go": """package app
type Object interface{ Kind() string }
type Pod struct{}
func (p *Pod) Kind() string { return "Pod" }
type Event struct{ Object Object }
func watch(ch <-chan Event, handlers chan func(), done <-chan struct{}) {
\tvar h func()
\tfor {
\t\tselect {
\t\tcase ev, ok := <-ch:
\t\t\tif !ok {
\t\t\t\treturn
\t\t\t}
\t\t\tev.Object.Kind()
\t\tcase h = <-handlers:
\t\t\th()
\t\tcase <-done:
\t\t\treturn
\t\t}
\t}
}
"""}


def test_a_value_received_in_a_select_case_has_the_channels_element_type():
    """`case ev, ok := <-ch:` declares ev with ch's element type, so `ev.Object.Kind()` is a call
    through the Object interface (callgraph -algo=vta: (*Pod).Kind there once a Pod is sent),
    where ev was an unknown name and the call unresolved; `case h = <-handlers:` assigns."""
    edges = {(e.callee, e.kind, e.line) for e in edges_of(SELECT_RECEIVE, with_library=False)
             if e.caller == f"{APP}.watch"}
    assert (f"({APP}.Object).Kind", graph.INTERFACE, 14) in edges
    assert (f"(*{APP}.Pod).Kind", graph.IMPLEMENTATION, 14) in edges
    assert not any(kind == graph.UNRESOLVED for _, kind, _ in edges)


INTERFACE_ARGUMENTS = {"q.go": """package app

type PopProcessFunc func(obj interface{}) error

type Queue interface {
\tPop(process PopProcessFunc) (interface{}, error)
\tEach(fn func(string))
}

type FIFO struct{ items []interface{} }

func (f *FIFO) Pop(process PopProcessFunc) (interface{}, error) {
\titem := f.items[0]
\treturn item, process(item)
}

func (f *FIFO) Each(fn func(string)) { fn("a") }

type Delta struct{ FIFO }

func Pop(queue Queue) interface{} {
\tvar result interface{}
\tqueue.Pop(func(obj interface{}) error {
\t\tresult = obj
\t\treturn nil
\t})
\treturn result
}

func printer(s string) {}

func Main() {
\tvar q Queue = &FIFO{}
\tPop(q)
\tq.Each(printer)
\tvar d Queue = &Delta{}
\td.Each(printer)
}

type ProcessFunc func(obj interface{}) error

type Config struct{ Process ProcessFunc }

func handle(obj interface{}) error { return nil }

func processLoop(q Queue) {
\tc := Config{Process: handle}
\tq.Pop(PopProcessFunc(c.Process))
}
"""}


def test_a_function_passed_to_an_interface_method_reaches_each_implementations_parameter():
    """`queue.Pop(func(obj interface{}) error {…})` (client-go's cache.Pop): the literal reaches
    the `process` parameter of every implementation of Queue.Pop, so FIFO.Pop's `process(item)`
    calls it, where an interface call passed its arguments nowhere; a function value passed
    through an embedded type's promoted method (Delta{FIFO}) too; an argument that is a call
    (PopProcessFunc(c.Process)) is any PopProcessFunc there, as it was before any function reached
    the parameter. These value calls' edges are those `callgraph -algo=vta` gives for this file."""
    value_calls = {(e.caller, e.callee, e.line) for e in edges_of(INTERFACE_ARGUMENTS)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in parameter")}
    assert value_calls == {(f"(*{APP}.FIFO).Pop", f"{APP}.Pop$1", 14),
                           (f"(*{APP}.FIFO).Pop", f"{APP}.handle", 14),
                           (f"(*{APP}.FIFO).Each", f"{APP}.printer", 17)}


def test_interface_calls_point_at_the_interface_method_and_list_implementations():
    files = {"i.go": """package app
type Plugin interface { Filter() bool }
type Fit struct{}
func (f *Fit) Filter() bool { return true }
type Spread struct{}
func (s Spread) Filter() bool { return false }
func run(p Plugin) { p.Filter() }
"""}
    assert calls(files, f"{APP}.run") == {
        (f"({APP}.Plugin).Filter", graph.INTERFACE),
        (f"(*{APP}.Fit).Filter", graph.IMPLEMENTATION),
        (f"({APP}.Spread).Filter", graph.IMPLEMENTATION)}


def test_function_values_passed_as_arguments():
    files = {"w.go": """package app
func Until(f func(), period int) { f() }
type S struct{}
func (s *S) scheduleOne() {}
func (s *S) Run() { Until(s.scheduleOne, 0); Until(func() {}, 1) }
"""}
    assert calls(files, f"(*{APP}.S).Run") == {
        (f"{APP}.Until", graph.STATIC), (f"(*{APP}.S).scheduleOne", graph.FUNCVALUE),
        (f"(*{APP}.S).Run$1", graph.FUNCVALUE)}



def test_a_function_passed_twice_in_one_call_is_one_edge():
    """`Joiner(IC, IC)` (gengo's namer.go:49) passes IC twice at one call site: one funcvalue
    edge from there, not one per argument; so too for a method value and a closure."""
    files = {"j.go": """package app
func IC() {}
func Joiner(a, b func()) {}
type T struct{}
func (T) H() {}
func Run(t, u T) {
\tJoiner(IC, IC)
\tJoiner(t.H, u.H)
\tf := func() {}
\tgo Joiner(f, f)
}
"""}
    passed = [(e.callee, e.line) for e in resolve(program_files(files), []).edges
              if e.via == "passed as argument"]
    assert sorted(passed) == [(f"({APP}.T).H", 8), (f"{APP}.IC", 7), (f"{APP}.Run$1", 10)]


def test_a_function_stored_twice_in_one_slice_literal_is_one_edge():
    """`[]func(){IC, IC}` stores IC twice at one position: one edge; a struct or map literal
    storing it in two fields or under two keys keeps an edge for each, as each says where."""
    files = {"s.go": """package app
func IC() {}
type Pair struct{ A, B func() }
func Run() {
\t_ = []func(){IC, IC}
\t_ = [2]func(){IC, IC}
\t_ = Pair{IC, IC}
}
"""}
    stored = [(e.line, e.via) for e in resolve(program_files(files), []).edges
              if e.kind == graph.FUNCVALUE and e.callee == f"{APP}.IC"]
    assert sorted(stored) == [(5, "stored in an element"), (6, "stored in an element"),
                              (7, "stored in field A"), (7, "stored in field B")]

def test_func_typed_fields_called_after_being_assigned_elsewhere():
    files = {"rs.go": """package app
type Controller struct{ syncHandler func(key string) error }
func New() *Controller {
	c := &Controller{}
	c.syncHandler = c.syncReplicaSet
	return c
}
func (c *Controller) syncReplicaSet(key string) error { return nil }
func (c *Controller) processNextWorkItem() { c.syncHandler("k") }
"""}
    assert calls(files, f"(*{APP}.Controller).processNextWorkItem") == {
        (f"(*{APP}.Controller).syncReplicaSet", graph.FUNCVALUE)}


def test_handler_structs_and_cobra_style_run_literals():
    files = {"h.go": """package app
type Funcs struct{ AddFunc func(obj interface{}) }
func (f Funcs) OnAdd(obj interface{}) { f.AddFunc(obj) }
type Command struct{ RunE func(args []string) error }
func (c *Command) Execute() { c.RunE(nil) }
type C struct{}
func (c *C) addPod(obj interface{}) {}
func Setup(c *C) *Command {
	_ = Funcs{AddFunc: c.addPod}
	return &Command{RunE: func(args []string) error { return nil }}
}
"""}
    assert (f"(*{APP}.C).addPod", graph.FUNCVALUE) in calls(files, f"({APP}.Funcs).OnAdd")
    assert (f"{APP}.Setup$1", graph.FUNCVALUE) in calls(files, f"(*{APP}.Command).Execute")
    assert (f"{APP}.Setup$1", graph.FUNCVALUE) in calls(files, f"{APP}.Setup")


def test_generic_receivers_resolve_through_their_constraint():
    files = {"g.go": """package app
type Namer interface { Name() string }
func First[T Namer](items []T) string { return items[0].Name() }
type Set[T comparable] map[T]struct{}
func (s Set[T]) Has(item T) bool { return false }
func use(s Set[string]) { s.Has("x") }
"""}
    assert calls(files, f"{APP}.First") == {(f"({APP}.Namer).Name", graph.INTERFACE)}
    assert calls(files, f"{APP}.use") == {(f"({APP}.Set).Has", graph.METHOD)}


def test_explicitly_instantiated_generic_functions_are_static_calls():
    """`g[int](x)`, `pkg.G[int, string](x)`, `pkg.H[int]()`, `go g[int](x)`: each calls the
    generic function, as the Go 1.19 compiler's `CALL main.g[go.shape.int_0]` does; a conversion
    to a generic type, `Set[int](nil)`, calls nothing and creates a Set."""
    files = {"pkg/pkg.go": """package pkg
func G[A, B any](x A) A { return x }
func H[A any]() {}
""",
             "main.go": """package app
import "example.com/app/pkg"
type Set[T comparable] map[T]struct{}
func g[T any](x T) T { return x }
func main() {
	x := 1
	g[int](x)
	pkg.G[int, string](x)
	pkg.H[int]()
	go g[int](x)
	_ = Set[int](nil)
}
"""}
    edges = [e for e in edges_of(files) if e.caller == f"{APP}.main"]
    assert sorted((e.callee, e.kind, e.line) for e in edges) == [
        (f"{APP}.g", graph.GO, 10), (f"{APP}.g", graph.STATIC, 7),
        (f"{APP}/pkg.G", graph.STATIC, 8), (f"{APP}/pkg.H", graph.STATIC, 9),
    ]
    assert f"{APP}.Set" in resolve(program_files(files), library_files()).created[f"{APP}.main"]


def test_an_instantiation_from_a_package_not_indexed_is_unresolved_by_its_name():
    """`ext.Set[string](nil)` and `maps.Keys[M](m)` of packages not indexed are a generic type or
    function we cannot tell apart: unresolved as `maps.Keys(m)` would be, named and said why,
    not a call of a map's element; an indexed package variable's element is still called."""
    files = {"pkg/pkg.go": """package pkg
var Handlers = map[string]func(int){"a": A}
func A(int) {}
""",
             "main.go": """package app
import (
	"example.com/app/pkg"
	"golang.org/x/exp/maps"
	ext "example.com/other/sets"
)
func main() {
	_ = ext.Set[string](nil)
	_ = maps.Keys[map[int]int](nil)
	pkg.Handlers["a"](1)
}
"""}
    edges = [e for e in edges_of(files) if e.caller == f"{APP}.main"]
    assert sorted((e.callee, e.kind, e.line, e.via) for e in edges) == [
        (f"{APP}/pkg.A", graph.FUNCVALUE, 10,
         f"stored in an element of variable {APP}/pkg.Handlers"),
        ("example.com/other/sets.Set", graph.UNRESOLVED, 8, "package not indexed"),
        ("golang.org/x/exp/maps.Keys", graph.UNRESOLVED, 9, "package not indexed"),
    ]


def test_function_values_are_followed_through_pointers_channels_append_and_passed_slices():
    """What `callgraph -algo=vta` follows (x/tools 0.5.0, on this program as a Go 1.19 module):
    `*p = Third` through p := &g to g(); `ch <- Fourth` to f := <-ch; f(); `append(fs, Fifth)`
    to a range over fs; and a slice passed to a function to the range over its parameter."""
    files = {"f.go": """package app
func Third() {}
func Fourth() {}
func Fifth() {}
func Sixth() {}
func viaPointer() {
	var g func()
	p := &g
	*p = Third
	g()
}
func viaChannel() {
	ch := make(chan func(), 1)
	ch <- Fourth
	f := <-ch
	f()
}
func viaAppend() {
	var fs []func()
	fs = append(fs, Fifth)
	for _, f := range fs {
		f()
	}
}
func runAll(fs []func()) {
	for _, f := range fs {
		f()
	}
}
func viaParameter() {
	fs := []func(){Sixth}
	runAll(fs)
}
"""}
    edges = {(e.caller, e.callee, e.line) for e in edges_of(files) if e.kind == graph.FUNCVALUE}
    assert {(f"{APP}.viaPointer", f"{APP}.Third", 10), (f"{APP}.viaChannel", f"{APP}.Fourth", 16),
            (f"{APP}.viaAppend", f"{APP}.Fifth", 22),
            (f"{APP}.runAll", f"{APP}.Sixth", 27)} <= edges


def test_a_container_flowing_into_its_own_element_ends():
    """`ch <- ch`, `s = append(s, s)`, `s[0] = s` and a recursive map walker (strategicpatch's
    sortMergeListsByNameMap) make a container flow into its own element: element flows derive
    elem(elem(…)) of it no deeper than `place_of` names places, so solving ends, and the
    function values around are still followed."""
    import signal

    def too_long(*_):
        raise TimeoutError("element flows did not end")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(30)
    try:
        files = {"f.go": """package app
func F() {}
func G() {}
func send() {
	ch := make(chan any, 1)
	ch <- ch
	f := F
	f()
}
func appendSelf() {
	var s []any
	s = append(s, s)
	s[0] = s
	fs := []func(){G}
	for _, g := range fs {
		g()
	}
}
func walk(s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		if m, ok := v.(map[string]any); ok {
			v = walk(m)
		}
		out[k] = v
	}
	return out
}
"""}
        edges = {(e.caller, e.callee) for e in edges_of(files)}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert {(f"{APP}.send", f"{APP}.F"), (f"{APP}.appendSelf", f"{APP}.G")} <= edges


def test_a_call_only_element_flows_reach_keeps_its_named_func_type_candidates():
    """client-go's `threadSafeMap.Index` calls `c.indexers[name]`: indexers passed as a local
    reach it through element flows, those passed as a literal argument do not (only the literal's
    IndexFunc type holds them). The call keeps every IndexFunc, as before element flows were
    followed, gains what they bring, and passes its arguments to all of them."""
    files = {"s.go": """package app
type IndexFunc func(cb func())
type Indexers map[string]IndexFunc
type store struct{ indexers Indexers }
func NewStore(i Indexers) *store { return &store{indexers: i} }
func (s *store) Index(name string) {
	f := s.indexers[name]
	f(Cb)
}
func Cb() {}
func A(cb func()) { cb() }
func B(cb func()) { cb() }
func fromLiteral() { NewStore(Indexers{"a": A}) }
func fromLocal() {
	i := Indexers{"b": B}
	NewStore(i)
}
"""}
    edges = {(e.caller, e.callee) for e in edges_of(files) if e.kind == graph.FUNCVALUE}
    assert {(f"(*{APP}.store).Index", f"{APP}.A"), (f"(*{APP}.store).Index", f"{APP}.B"),
            (f"{APP}.A", f"{APP}.Cb"), (f"{APP}.B", f"{APP}.Cb")} <= edges


def test_standard_library_calls_resolve_when_it_is_indexed():
    files = {"m.go": """package app
import (
	"context"
	"strings"
	"sync"
)
type S struct{ mu sync.Mutex }
func (s *S) f(ctx context.Context) {
	s.mu.Lock()
	_ = strings.ToUpper("x")
	ctx.Done()
}
"""}
    assert calls(files, f"(*{APP}.S).f") == {
        ("(*sync.Mutex).Lock", graph.METHOD), ("strings.ToUpper", graph.STATIC),
        ("(context.Context).Done", graph.INTERFACE)}


def test_without_the_standard_library_calls_stay_as_unresolved_edges_with_their_target():
    files = {"m.go": "package app\nimport \"strings\"\nfunc f() { _ = strings.ToUpper(\"x\") }\n"}
    (edge,) = [e for e in edges_of(files, with_library=False) if e.caller == f"{APP}.f"]
    assert (edge.callee, edge.kind, edge.via) == ("strings.ToUpper", graph.UNRESOLVED,
                                                  "package not indexed")


def test_every_edge_keeps_its_call_site_and_a_confidence():
    files = {"m.go": "package app\nfunc g() {}\nfunc f() {\n\tg()\n\tunknown.Thing()\n}\n"}
    edges = {e.callee: e for e in edges_of(files) if e.caller == f"{APP}.f"}
    static, unresolved = edges[f"{APP}.g"], edges["unknown.Thing"]
    assert (static.path, static.line, static.col, static.confidence) == ("m.go", 4, 3, 1.0)
    assert (unresolved.kind, unresolved.line, unresolved.confidence) == (graph.UNRESOLVED, 5, 0.0)


def test_init_functions_and_package_initialisers_are_named_like_go_ssa():
    files = {"a.go": "package app\nvar x = setup()\nfunc setup() int { return 1 }\nfunc init() { setup() }\n",
             "b.go": "package app\nfunc init() { setup() }\n"}
    callers = {e.caller for e in edges_of(files)}
    assert callers == {f"{APP}.init", f"{APP}.init#1", f"{APP}.init#2"}


@pytest.mark.parametrize("module", ["k8s.io/kubernetes"])
def test_calls_into_staging_resolve_through_the_module_map(module):
    files = {"staging/src/k8s.io/api/go.mod": "module k8s.io/api\n",
             "staging/src/k8s.io/api/core/v1/types.go": "package v1\nfunc New() {}\n",
             "cmd/main.go": "package main\nimport v1 \"k8s.io/api/core/v1\"\nfunc main() { v1.New() }\n"}
    sources = {"go.mod": f"module {module}\n\nreplace k8s.io/api => ./staging/src/k8s.io/api\n".encode(),
               **{path: text.encode() for path, text in files.items()}}
    modules = build_module_map(list(sources), sources.get)
    records = [(FileRecord(p, p, modules.import_path_of(p), "parsed"), parse_source(s))
               for p, s in sources.items() if p.endswith(".go")]
    edges = resolve(records).edges
    assert [(e.callee, e.kind) for e in edges if e.caller == f"{module}/cmd.main"] == [
        ("k8s.io/api/core/v1.New", graph.STATIC)]


def test_a_name_declared_in_an_inner_block_is_gone_after_it():
    files = {"d.go": """package app
type Spec struct{ Replicas *int32; Template Template }
type Template struct{}
func (in *Template) DeepCopyInto(out *Template) {}
func (in *Spec) DeepCopyInto(out *Spec) {
	if in.Replicas != nil {
		in, out := &in.Replicas, &out.Replicas
		*out = *in
	}
	in.Template.DeepCopyInto(&out.Template)
}
"""}
    assert calls(files, f"(*{APP}.Spec).DeepCopyInto") == {
        (f"(*{APP}.Template).DeepCopyInto", graph.METHOD)}


def test_a_variable_named_like_a_package_is_not_in_scope_on_its_own_line():
    files = {"meta/m.go": "package meta\nfunc Accessor(obj interface{}) (interface{}, error) { return obj, nil }\n",
             "k.go": "package app\nimport \"example.com/app/meta\"\nfunc Key(obj interface{}) {\n"
                     "\tmeta, err := meta.Accessor(obj)\n\t_, _ = meta, err\n}\n"}
    assert calls(files, f"{APP}.Key") == {(f"{APP}/meta.Accessor", graph.STATIC)}


def test_long_method_chains_resolve_to_the_end():
    methods = "".join(f"func (r *Request) Step{i}() *Request {{ return r }}\n" for i in range(12))
    chain = "".join(f".\n\t\tStep{i}()" for i in range(12))
    files = {"c.go": f"package app\ntype Request struct{{}}\n{methods}func use(r *Request) {{\n\tr{chain}\n}}\n"}
    assert calls(files, f"{APP}.use") == {(f"(*{APP}.Request).Step{i}", graph.METHOD) for i in range(12)}


def test_implementations_count_methods_promoted_through_embedding():
    files = {"i.go": """package app
type Nominator interface { AddNominated() }
type Framework interface { Nominator; RunFilter() }
type nominator struct{}
func (n *nominator) AddNominated() {}
type frameworkImpl struct{ *nominator }
func (f *frameworkImpl) RunFilter() {}
func run(fw Framework) { fw.RunFilter() }
"""}
    assert (f"(*{APP}.frameworkImpl).RunFilter", graph.IMPLEMENTATION) in calls(files, f"{APP}.run")


def test_functions_stored_in_a_map_of_a_named_func_type_are_called_through_it():
    files = {"c.go": """package app
type InitFunc func(ctx int) error
func startA(ctx int) error { return nil }
func startB(ctx int) error { return nil }
func Initializers() map[string]InitFunc {
	controllers := map[string]InitFunc{"b": startB}
	controllers["a"] = startA
	return controllers
}
func Start(controllers map[string]InitFunc) {
	for _, initFn := range controllers {
		initFn(1)
	}
}
"""}
    assert calls(files, f"{APP}.Start") == {(f"{APP}.startA", graph.FUNCVALUE),
                                            (f"{APP}.startB", graph.FUNCVALUE)}


def test_a_local_closure_is_called_directly_unless_another_closure_captures_it():
    files = {"c.go": """package app
func direct() {
	f := func() {}
	f()
}
func captured() {
	check := func(i int) {}
	check(0)
	go func() {
		check(1)
	}()
}
"""}
    assert calls(files, f"{APP}.direct") == {(f"{APP}.direct$1", graph.CLOSURE)}
    assert (f"{APP}.captured$1", graph.FUNCVALUE) in calls(files, f"{APP}.captured")
    assert calls(files, f"{APP}.captured$2") == {(f"{APP}.captured$1", graph.FUNCVALUE)}


# --- interface calls: implementations by method sets -----------------------------------------

def implementations(files: dict[str, str], interface_method: str) -> set[str]:
    resolution = resolve(program_files(files), library_files())
    return {row.method for row in resolution.implements if row.interface_method == interface_method}


def test_an_implementation_needs_identical_signatures_not_just_names_and_arity():
    files = {"v1/t.go": "package v1\ntype Pod struct{}\n",
             "v2/t.go": "package v2\ntype Pod struct{}\n",
             "i.go": """package app
import ("example.com/app/v1"; "example.com/app/v2")
type Lister interface { List(p *v1.Pod) ([]string, error) }
type right struct{}
func (right) List(p *v1.Pod) ([]string, error) { return nil, nil }
type otherVersion struct{}
func (otherVersion) List(p *v2.Pod) ([]string, error) { return nil, nil }
type otherResult struct{}
func (otherResult) List(p *v1.Pod) ([]int, error) { return nil, nil }
func run(l Lister) { l.List(nil) }
"""}
    assert implementations(files, f"({APP}.Lister).List") == {f"({APP}.right).List"}


def test_an_unexported_interface_method_is_implemented_only_from_its_own_package():
    """go/types' `cleaner` (an unexported cleanup()) was implemented by types2.Named, whose
    cleanup() is another package's method of that name: a type outside the interface's package
    implements it only through a type of that package it embeds, as the spec's method sets say."""
    files = {"other/t.go": """package other
import "example.com/app"
type Named struct{}
func (*Named) cleanup() {}
type Wrapper struct{ *app.Named }
""",
             "i.go": """package app
type cleaner interface { cleanup() }
type Cleaners interface { cleaner }
type Named struct{}
func (*Named) cleanup() {}
func run(c cleaner, d Cleaners) { c.cleanup(); d.cleanup() }
"""}
    expected = {f"(*{APP}.Named).cleanup"}  # its own, and the one other.Wrapper embeds
    assert implementations(files, f"({APP}.cleaner).cleanup") == expected
    assert implementations(files, f"({APP}.Cleaners).cleanup") == expected
    resolution = resolve(program_files(files), library_files())
    types = {row.type for row in resolution.implements
             if row.interface_method == f"({APP}.cleaner).cleanup"}
    assert types == {f"{APP}.Named", f"{APP}/other.Wrapper"}


def test_aliases_and_predeclared_synonyms_are_the_same_type():
    files = {"i.go": """package app
type Key = string
type Bytes = []byte
type Store interface { Get(k Key) (Bytes, error); Size() rune }
type memory struct{}
func (*memory) Get(k string) ([]uint8, error) { return nil, nil }
func (*memory) Size() int32 { return 0 }
func run(s Store) { s.Get("") }
"""}
    assert implementations(files, f"({APP}.Store).Get") == {f"(*{APP}.memory).Get"}


def test_methods_promoted_through_embedded_structs_and_interfaces_count():
    files = {"i.go": """package app
type Runner interface { Run(); Stop() }
type base struct{}
func (*base) Run() {}
type Stopper interface { Stop() }
type byValue struct{ base; Stopper }
type byPointer struct{ *base }
func (byPointer) Stop() {}
func run(r Runner) { r.Run() }
"""}
    resolution = resolve(program_files(files), library_files())
    rows = {(row.type, row.method, row.pointer_only) for row in resolution.implements
            if row.interface_method == f"({APP}.Runner).Run"}
    # base's Run has a pointer receiver: a byValue value lacks it, *byValue has it; an embedded
    # *base lends it to byPointer values too.
    assert rows == {(f"{APP}.byValue", f"(*{APP}.base).Run", True),
                    (f"{APP}.byPointer", f"(*{APP}.base).Run", False)}


def test_a_generic_interface_matches_whatever_its_type_parameter_becomes():
    files = {"i.go": """package app
type Getter[T any] interface { Get() T }
type podGetter struct{}
func (podGetter) Get() *int { return nil }
func run(g Getter[*int]) { g.Get() }
"""}
    assert implementations(files, f"({APP}.Getter).Get") == {f"({APP}.podGetter).Get"}


def test_types_built_for_another_platform_or_for_tests_are_labelled():
    files = {"i.go": "package app\ntype Proxier interface { Sync() }\nfunc run(p Proxier) { p.Sync() }\n",
             "winkernel/p_windows.go": "package winkernel\ntype proxier struct{}\nfunc (*proxier) Sync() {}\n",
             "fake/p.go": "package fake\ntype Proxier struct{}\nfunc (*Proxier) Sync() {}\n",
             "iptables/p.go": "package iptables\ntype Proxier struct{}\nfunc (*Proxier) Sync() {}\n"}
    resolution = resolve(program_files(files), library_files())
    labels = {row.type: (row.other_platform, row.test_double) for row in resolution.implements}
    assert labels == {f"{APP}/winkernel.proxier": (True, False), f"{APP}/fake.Proxier": (False, True),
                      f"{APP}/iptables.Proxier": (False, False)}


# --- function values followed as data -----------------------------------------------------------

def test_function_values_flow_through_parameters_into_the_call_that_runs_them():
    files = {"w.go": """package app
func Until(f func(), period int) { JitterUntil(f, period) }
func JitterUntil(g func(), period int) { for { g() } }
type Scheduler struct{}
func (s *Scheduler) scheduleOne() {}
func (s *Scheduler) Run() { Until(s.scheduleOne, 1) }
"""}
    assert calls(files, f"{APP}.JitterUntil") == {(f"(*{APP}.Scheduler).scheduleOne", graph.FUNCVALUE)}


def test_function_values_flow_through_results_fields_and_variables():
    files = {"h.go": """package app
type Handler func(int)
type server struct{ handler Handler }
func logged(h Handler) Handler { return func(x int) { h(x) } }
func serve(x int) {}
var defaultHandler = logged(serve)
func (s *server) install() { s.handler = defaultHandler }
func (s *server) handle() { s.handler(1) }
func chain() func() { return tick }
func tick() {}
func run() { chain()() }
"""}
    assert (f"{APP}.logged$1", graph.FUNCVALUE) in calls(files, f"(*{APP}.server).handle")
    assert calls(files, f"{APP}.logged$1") == {(f"{APP}.serve", graph.FUNCVALUE)}
    assert (f"{APP}.tick", graph.FUNCVALUE) in calls(files, f"{APP}.run")


def test_a_local_declared_with_a_func_type_and_a_value_is_that_value():
    """`var f func() I = New; f()` calls New statically, as `var f = New` does: go/ssa lifts the
    local, and a func type written out leaves the value as it is (callgraph -algo=static on this
    Go: typed → New, pair → New and Other, closure → closure$1). A named func type changes the
    value (ssa ChangeType: no static edge), and a local assigned again may hold either value (vta:
    New, Other): both are function values."""
    files = {"f.go": """package app
type I interface{ M() }
type Fn func() I
func New() I { return nil }
func Other() I { return nil }
func typed() {
    var f func() I = New
    f()
}
func pair() {
    var f, g func() I = New, Other
    f()
    g()
}
func closure() {
    var f func() = func() { New() }
    f()
}
func named() {
    var f Fn = New
    f()
}
func reassigned(x bool) {
    var f func() I = New
    if x {
        f = Other
    }
    f()
}
"""}
    assert calls(files, f"{APP}.typed") == {(f"{APP}.New", graph.STATIC)}
    assert calls(files, f"{APP}.pair") == {(f"{APP}.New", graph.STATIC),
                                           (f"{APP}.Other", graph.STATIC)}
    assert calls(files, f"{APP}.closure") == {(f"{APP}.closure$1", graph.CLOSURE)}
    assert calls(files, f"{APP}.named") == {(f"{APP}.New", graph.FUNCVALUE)}
    assert calls(files, f"{APP}.reassigned") == {(f"{APP}.New", graph.FUNCVALUE),
                                                 (f"{APP}.Other", graph.FUNCVALUE)}


def test_a_local_bound_to_a_function_and_assigned_another_calls_what_it_may_hold():
    """`f := New; f = Other; f()` may call Other (callgraph -algo=vta: Other), not New alone; the
    analysis is insensitive to order, so New stays a candidate, as after `var f T = New`."""
    files = {"f.go": """package app
func New() {}
func Other() {}
func reassigned() {
    f := New
    f = Other
    f()
}
func inClosure() {
    f := New
    func() { f = Other }()
    f()
}
"""}
    held = {(f"{APP}.Other", graph.FUNCVALUE), (f"{APP}.New", graph.FUNCVALUE)}
    assert calls(files, f"{APP}.reassigned") == held
    assert calls(files, f"{APP}.inClosure") == {*held, (f"{APP}.inClosure$1", graph.CLOSURE)}


def test_a_function_converted_to_a_func_type_is_called_through_its_method():
    files = {"h.go": """package app
type HandlerFunc func(w int)
func (f HandlerFunc) ServeHTTP(w int) { f(w) }
func index(w int) {}
func routes() interface{} { return HandlerFunc(index) }
"""}
    assert calls(files, f"({APP}.HandlerFunc).ServeHTTP") == {(f"{APP}.index", graph.FUNCVALUE)}


def test_arguments_of_a_dynamic_call_reach_the_parameters_of_its_callees():
    files = {"w.go": """package app
type runner struct{ run func(f func()) }
func loop(f func()) { f() }
func work() {}
func start() {
    r := runner{run: loop}
    r.run(work)
}
"""}
    assert calls(files, f"{APP}.loop") == {(f"{APP}.work", graph.FUNCVALUE)}


DYNAMIC_RESULTS = {"r.go": """package app

type Mux interface{ Handler() func(int) }
type mux struct{}

func (m *mux) Handler() func(int) { return serve }
func serve(w int) {}
func work() {}
func pick() func() { return work }

type picker struct{ next func() func() }

func viaInterface(m Mux) {
\th := m.Handler()
\th(1)
}

func viaValues(p picker, g func() func()) {
\tp.next = pick
\tf := p.next()
\tf()
\tk := g()
\tk()
\tg()()
}

func Main() {
\tviaInterface(&mux{})
\tviaValues(picker{}, pick)
}
"""}


def test_what_a_dynamic_call_returns_reaches_where_its_result_goes():
    """`h := m.Handler(); h(1)` through an interface, and `f := p.next(); f()`, `k := g(); k()`,
    `g()()` through function values: the result of a dynamic call carries what its callees
    return, where it was the result of no function and the calls of it had no callee. The
    edges are those `callgraph -algo=vta` gives for this file (as package main)."""
    value_calls = {(e.caller.rpartition(".")[2], e.line, e.callee.rpartition(".")[2])
                   for e in edges_of(DYNAMIC_RESULTS, with_library=False)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in")}
    assert value_calls == {("viaInterface", 15, "serve"),
                           ("viaValues", 20, "pick"), ("viaValues", 21, "work"),
                           ("viaValues", 22, "pick"), ("viaValues", 23, "work"),
                           ("viaValues", 24, "pick"), ("viaValues", 24, "work")}


ANONYMOUS_FIELDS = {"s.go": """package app

type Handler func(int)

func work()       {}
func other()      {}
func serve(w int) {}
func table()      {}

func literal() {
\ts := struct{ fn func() }{fn: work}
\ts.fn()
}

func assigned() {
\tvar x struct{ h Handler }
\tx.h = serve
\tx.h(1)
}

func cases() {
\ttests := []struct {
\t\tname string
\t\tfn   func()
\t}{{"a", table}}
\tfor _, tt := range tests {
\t\ttt.fn()
\t}
}

func param(p struct{ run func() }) { p.run() }

func Main() {
\tliteral()
\tassigned()
\tcases()
\tparam(struct{ run func() }{other})
}
"""}


def test_a_field_of_a_struct_type_written_out_is_a_place():
    """`struct{ fn func() }{fn: work}`, `var x struct{ h Handler }; x.h = serve`, a table of
    test cases `[]struct{ name string; fn func() }{{"a", table}}` and a parameter of such a type:
    a field of a struct type with no name holds what is stored in it, for every mention of an
    identical type, where it was no place and its calls had no callee. The edges are those
    `callgraph -algo=vta` gives for this file (as package main)."""
    value_calls = {(e.caller.rpartition(".")[2], e.line, e.callee.rpartition(".")[2])
                   for e in edges_of(ANONYMOUS_FIELDS, with_library=False)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in field")
                   and e.line not in (11, 25, 37)}  # the literals' own edges
    assert value_calls == {("literal", 12, "work"), ("assigned", 18, "serve"),
                           ("cases", 27, "table"), ("param", 31, "other")}


SAME_TEXT_STRUCTS = {"lib/lib.go": """package lib

func a() {}

var Box struct{ fn func() }

func Set() { Box.fn = a }
""", "main.go": """package app

import "example.com/app/lib"

func b(int) {}

var box struct{ fn func() }

func main() {
\tlib.Set()
\tbox.fn = b
\tbox.fn()
\t_ = lib.Box
}
"""}


def test_a_struct_type_written_out_with_an_unexported_field_is_its_packages_own():
    """`struct{ fn func() }` spelt in package lib and again in main is two types (Go's type
    identity: a non-exported field name is one package's), so what lib stores in Box.fn is not
    called by main's box.fn(). `callgraph -algo=vta` on this program gives main → b at line 12
    and no edge to lib.a."""
    value_calls = {(e.caller, e.line, e.callee)
                   for e in edges_of(SAME_TEXT_STRUCTS, with_library=False)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in field")}
    assert value_calls == {(f"{APP}.main", 12, f"{APP}.b")}


CALLED_ELEMENTS = {"a.go": """package app

type T struct{ fn func() }

func d() {}
func e() {}
func mk() func() { return d }
func mk2() func() { return e }

func use() {
\ths := []func(){mk()}
\ths[0]()
\tt := T{fn: mk2()}
\tt.fn()
}

func Main() {
\tuse()
}
"""}


def test_a_call_as_a_literals_element_stores_what_it_returns():
    """`[]func(){mk()}` and `T{fn: mk2()}` (Kubernetes' `Handler: wrap(h)`, `RunE: runE(o)`)
    store the function the call returns, as `h := mk(); h()` does, where the element carried
    nothing and hs[0]() and t.fn() had no callee. `callgraph -algo=vta` on this file (as package
    main) gives use → d at line 12 and use → e at line 14."""
    value_calls = {(e.caller, e.line, e.callee) for e in edges_of(CALLED_ELEMENTS, with_library=False)
                   if e.kind == graph.FUNCVALUE}
    assert value_calls == {(f"{APP}.use", 12, f"{APP}.d"), (f"{APP}.use", 14, f"{APP}.e")}


OTHER_KEYS = {"a.go": """package app

type K struct{ k int }

func a() {}
func e() {}
func b(int) {}

func use() {
\tm := map[int]func(){1: a}
\tm[1]()
\tmk := map[K][]func(){{k: 1}: {e}}
\tmk[K{1}][0]()
\ts := []func(int){2: b}
\ts[2](0)
}

func Main() {
\tuse()
}
"""}


def test_a_map_keyed_by_a_number_or_a_composite_key_keeps_its_values():
    """`map[int]func(){1: a}`, `map[K][]func(){{k: 1}: {e}}` and `[]func(int){2: b}`: an element
    whose key is not a name or a string is stored like any other, where it was dropped and
    m[1](), mk[K{1}][0]() and s[2](0) had no callee; a slice's index is no field. `callgraph
    -algo=vta` on this file (as package main) gives use → a at 11, use → e at 13, use → b at
    15."""
    edges = [e for e in edges_of(OTHER_KEYS, with_library=False) if e.kind == graph.FUNCVALUE]
    assert {(e.line, e.callee) for e in edges if e.line in (11, 13, 15)} == {
        (11, f"{APP}.a"), (13, f"{APP}.e"), (15, f"{APP}.b")}
    assert {(e.line, e.via) for e in edges if e.line in (10, 14)} == {
        (10, "stored in map 1"), (14, "stored in an element")}


NESTED_LITERALS = {"n.go": """package app

type Hooks struct{ Handlers []func() }

func work()  {}
func other() {}
func third() {}
func kept()  {}
func fourth() {}

func nested() {
\ttable := [][]func(){{work}, {other}}
\ttable[0][1]()
\tfor _, row := range table {
\t\tfor _, fn := range row {
\t\t\tfn()
\t\t}
\t}
}

func written() {
\tbyName := map[string][]func(){"a": {third}, "b": []func(){fourth}}
\tfor _, fn := range byName["a"] {
\t\tfn()
\t}
}

func inField() {
\thooks := []Hooks{{Handlers: []func(){kept}}}
\thooks[0].Handlers[0]()
}

func Main() {
\tnested()
\twritten()
\tinField()
}
"""}


def test_functions_in_nested_literals_are_elements_of_elements():
    """`[][]func(){{work}, {other}}`, `map[string][]func(){"a": {third}, "b": []func(){fourth}}`
    and `[]Hooks{{Handlers: []func(){kept}}}`: a literal nested in another holds its functions
    as the elements of that one's element (or field), so `table[0][1]()` and the loops over rows
    call them, where a nested literal was no element and those calls had no callee. Each edge is
    one `callgraph -algo=vta` gives for this file (as package main); VTA keeps one element per
    slice type, so it also has each of the five at every call."""
    value_calls = {(e.caller.rpartition(".")[2], e.line, e.callee.rpartition(".")[2])
                   for e in edges_of(NESTED_LITERALS, with_library=False)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in")
                   and e.line not in (12, 22, 29)}  # the literals' own edges
    assert value_calls == {("nested", 13, "work"), ("nested", 13, "other"),
                           ("nested", 16, "work"), ("nested", 16, "other"),
                           ("written", 24, "third"), ("written", 24, "fourth"),
                           ("inField", 30, "kept")}


CALL_ARGUMENTS = {"c.go": """package app

type ConditionFunc func() bool
type ContextFunc func(ctx int) bool

func (cf ConditionFunc) WithContext() ContextFunc {
\treturn func(int) bool { return cf() }
}

func ready() bool { return true }

func run(condition ContextFunc) bool { return condition(0) }

func poll(condition ConditionFunc) bool {
\treturn run(condition.WithContext())
}

func Main() {
\tpoll(ready)
}
"""}


def test_a_call_passed_as_an_argument_passes_what_it_returns():
    """`run(condition.WithContext())` (apimachinery wait's runConditionWithCrashProtection): the
    argument is what WithContext returns, so run's `condition(0)` calls WithContext's literal,
    where parse summarised a call argument as a call and it reached no parameter. The edges are
    those `callgraph -algo=vta` gives for this file (as package main)."""
    value_calls = {(e.caller.rpartition(".")[2], e.line, e.callee.rpartition(".")[2])
                   for e in edges_of(CALL_ARGUMENTS, with_library=False)
                   if e.kind == graph.FUNCVALUE and e.via.startswith("stored in")}
    assert value_calls == {("run", 12, "WithContext$1"), ("WithContext$1", 7, "ready")}


# --- each command's own program -------------------------------------------------------------------

def test_a_command_links_its_import_closure_and_prefers_the_types_it_creates():
    files = {"cmd/server/main.go": """package main
import "example.com/app/proxy"
func main() { proxy.Run(proxy.NewIPTables()) }
""",
             "proxy/proxy.go": """package proxy
type Proxier interface { Sync() }
type iptables struct{}
func (*iptables) Sync() {}
type ipvs struct{}
func (*ipvs) Sync() {}
func NewIPTables() Proxier { return &iptables{} }
func Run(p Proxier) { p.Sync() }
""",
             "proxy/fake/fake.go": """package fake
type Proxier struct{}
func (*Proxier) Sync() {}
"""}
    resolution = resolve(program_files(files), library_files(),
                         [("server", f"{APP}/cmd/server")])
    (program,) = resolution.programs
    assert program.packages == {f"{APP}/cmd/server", f"{APP}/proxy"}
    assert program.types == {f"{APP}/proxy.iptables"}


def test_another_build_configuration_turns_the_other_platform_around():
    files = {"i.go": "package app\ntype Proxier interface { Sync() }\nfunc run(p Proxier) { p.Sync() }\n",
             "winkernel/p_windows.go": "package winkernel\ntype proxier struct{}\nfunc (*proxier) Sync() {}\n",
             "iptables/p_linux.go": "package iptables\ntype Proxier struct{}\nfunc (*Proxier) Sync() {}\n"}
    resolution = resolve(program_files(files), library_files(), build=BuildContext(goos="windows"))
    labels = {row.type: row.other_platform for row in resolution.implements}
    assert labels == {f"{APP}/winkernel.proxier": False, f"{APP}/iptables.Proxier": True}


def test_an_external_test_package_does_not_rename_the_package_it_tests():
    """net/http's `alpn_test.go` says `package http_test`: sorted first, it once named the whole
    package, so `http.Handler` meant nothing and every ServeHTTP call was unresolved."""
    library = [*library_files(),
               (FileRecord("net/http/alpn_test.go", "sha-t", "net/http", "parsed"),
                parse_source(b"package http_test\nfunc TestALPN() {}\n")),
               (FileRecord("net/http/server.go", "sha-s", "net/http", "parsed"),
                parse_source(b"package http\ntype Handler interface { ServeHTTP(w int) }\n"))]
    files = program_files({"h.go": """package app
import "net/http"
type api struct{}
func (*api) ServeHTTP(w int) {}
func serve(h http.Handler) { h.ServeHTTP(1) }
"""})
    resolution = resolve(files, library)
    assert {(e.callee, e.kind) for e in resolution.edges if e.caller == f"{APP}.serve"} == {
        ("(net/http.Handler).ServeHTTP", graph.INTERFACE)}
    assert {row.method for row in resolution.implements} == {f"(*{APP}.api).ServeHTTP"}


def test_a_method_value_of_an_interface_dispatches_when_called():
    """`MustRegister = defaultRegistry.MustRegister` with an interface-typed registry: calling the
    variable reaches the registry's implementations, not an abstract method."""
    files = {"r.go": """package app
type Registry interface { MustRegister(c int) }
type kubeRegistry struct{}
func (*kubeRegistry) MustRegister(c int) {}
var defaultRegistry Registry = &kubeRegistry{}
var MustRegister = defaultRegistry.MustRegister
func register() { MustRegister(1) }
"""}
    assert calls(files, f"{APP}.register") == {
        (f"({APP}.Registry).MustRegister", graph.INTERFACE),
        (f"(*{APP}.kubeRegistry).MustRegister", graph.IMPLEMENTATION)}


def test_a_function_passed_as_a_named_func_type_reaches_every_call_of_that_type():
    """The informer factories' tweakListOptions: what one caller passes as a TweakListOptionsFunc
    is what a call of any value of that type may run."""
    files = {"i.go": """package app
type TweakListOptionsFunc func(options *int)
func NewFilteredPodInformer(tweak TweakListOptionsFunc) { tweak(nil) }
func NewFilteredNodeInformer(tweak TweakListOptionsFunc) { tweak(nil) }
func newPodInformer() {
    tweakListOptions := func(options *int) {}
    NewFilteredPodInformer(tweakListOptions)
}
"""}
    assert calls(files, f"{APP}.NewFilteredNodeInformer") == {(f"{APP}.newPodInformer$1", graph.FUNCVALUE)}


def test_a_call_of_a_function_value_also_names_its_function_type():
    """Where no stored function was seen to reach a call, queries fall back on the functions of
    the called type whose value is taken: the edge names the type, the rows list them."""
    files = {"w.go": """package app
import "context"
type Handler func(ctx context.Context, key string) error
type worker struct{ sync Handler }
func (w *worker) process(ctx context.Context) { w.sync(ctx, "k") }
func syncPod(ctx context.Context, key string) error { return nil }
func syncNode(ctx context.Context, name string) error { return nil }
func other(n int) error { return nil }
func register(f interface{}) {}
func install() { register(syncPod); register(syncNode); register(other) }
"""}
    resolution = resolve(program_files(files), library_files())
    signature = "func(context.Context, string) error"
    assert {(e.callee, e.kind) for e in resolution.edges
            if e.caller == f"(*{APP}.worker).process"} == {(signature, graph.SIGNATURE)}
    assert {function for sig, function in resolution.signatures if sig == signature} == {
        f"{APP}.syncPod", f"{APP}.syncNode"}


def test_a_type_defined_over_a_struct_keeps_the_methods_its_fields_promote():
    """`type List metav1.List` has List's embedded TypeMeta, so its GetObjectKind, and with its
    own DeepCopyObject it is a runtime.Object."""
    files = {"meta/t.go": """package meta
type TypeMeta struct{}
func (t *TypeMeta) GetObjectKind() int { return 0 }
type List struct { TypeMeta; Items []int }
""",
             "core/t.go": """package core
import "example.com/app/meta"
type Object interface { GetObjectKind() int; DeepCopyObject() Object }
type List meta.List
func (l *List) DeepCopyObject() Object { return l }
func copyAll(o Object) { o.DeepCopyObject() }
"""}
    assert implementations(files, f"({APP}/core.Object).DeepCopyObject") == {
        f"(*{APP}/core.List).DeepCopyObject"}


def test_the_standard_library_imports_what_it_vendors_not_the_repositorys_copy():
    library = [*library_files(),
               (FileRecord("vendor/golang.org/x/net/hpack/h.go", "sha-h", "vendor/golang.org/x/net/hpack",
                           "parsed"), parse_source(b"package hpack\nfunc NewDecoder() {}\n")),
               (FileRecord("net/http/h2.go", "sha-2", "net/http", "parsed"),
                parse_source(b'package http\nimport "golang.org/x/net/hpack"\nfunc serve() { hpack.NewDecoder() }\n'))]
    files = program_files({"vendor/golang.org/x/net/hpack/h.go": "package hpack\nfunc NewDecoder() {}\n",
                           "main.go": 'package main\nimport "golang.org/x/net/hpack"\nfunc main() { hpack.NewDecoder() }\n'})
    resolution = resolve([*files, *library])
    callees = {(e.caller, e.callee) for e in resolution.edges}
    assert ("net/http.serve", "vendor/golang.org/x/net/hpack.NewDecoder") in callees
    assert (f"{APP}.main", "golang.org/x/net/hpack.NewDecoder") in callees


def test_kubernetes_idioms_are_recorded_as_typed_annotations():
    k8s = "k8s.io/kubernetes"
    files = {"pkg/scheduler/framework/interface.go": """package framework
type FilterPlugin interface { Name() string; Filter(pod int) bool }
""",
             "pkg/scheduler/plugins/fit.go": """package plugins
type Fit struct{}
func (Fit) Name() string { return "Fit" }
func (Fit) Filter(pod int) bool { return true }
""",
             "pkg/scheduler/run.go": """package scheduler
import "k8s.io/kubernetes/pkg/scheduler/framework"
func run(p framework.FilterPlugin) { p.Filter(1) }
""",
             "cmd/app/server.go": """package app
type Command struct{ RunE func() error }
type ResourceEventHandlerFuncs struct{ AddFunc func(obj interface{}) }
type InitFunc func() error
func runCommand() error { return nil }
func addPod(obj interface{}) {}
func startReplicaSet() error { return nil }
func New() {
    _ = &Command{RunE: runCommand}
    _ = ResourceEventHandlerFuncs{AddFunc: addPod}
    _ = map[string]InitFunc{"replicaset": startReplicaSet}
}
"""}
    resolution = resolve(program_files(files, module=k8s), library_files())
    assert {(a.symbol, a.kind, a.detail) for a in resolution.annotations} == {
        (f"{k8s}/cmd/app.runCommand", graph.COBRA_COMMAND, "RunE"),
        (f"{k8s}/cmd/app.addPod", graph.INFORMER_HANDLER, "AddFunc"),
        (f"{k8s}/cmd/app.startReplicaSet", graph.CONTROLLER_INITIALISER, "InitFunc"),
        (f"({k8s}/pkg/scheduler/plugins.Fit).Filter", graph.SCHEDULER_PLUGIN, "FilterPlugin")}


def test_a_type_met_deep_inside_another_normalizes_as_when_asked_first():
    """How deep a type sits inside another (a func returning funcs…) is no alias chain: meeting
    it there first must not leave it `too deep` for every later comparison."""
    from analyzer.gotypes import Func, Named
    from analyzer.resolve.methodsets import MethodSets
    from analyzer.resolve.program import Program

    program = Program.build(program_files({"n.go": "package app\ntype Number int32\n"}))
    methods = MethodSets(program)
    signature = nested = Func((), (Named(APP, "Number"),))  # func() Number
    for _ in range(9):  # nine funcs deep: where the old depth limit cut it short
        nested = Func((), (nested,))
    methods.normal(nested)
    assert methods.normal(signature) == signature


def test_a_method_signature_is_worked_out_only_for_an_interface_that_names_the_method():
    """Finding an interface's implementations lists every type's method names; the signature of
    a method no interface asked for by name is never read, however many types declare one."""
    from analyzer.gotypes import Named
    from analyzer.resolve.methodsets import MethodSets
    from analyzer.resolve.program import Program

    program = Program.build(program_files({"t.go": """package app
type Starter interface{ Start(n int) error }
type Job struct{}
func (j *Job) Start(n int) error { return nil }
func (j *Job) Cleanup(paths []string, force bool) {}
type Other struct{ Job }
func (o Other) Describe(verbose bool) string { return "" }
"""}))
    methods = MethodSets(program)
    worked_out = []
    signature_of = methods.signature_of
    methods.signature_of = lambda func: worked_out.append(func.decl.name) or signature_of(func)

    found = methods.implementations(Named(APP, "Starter"))
    assert [(i.type_name, i.methods) for i in found] == [
        ("Job", (("Start", f"(*{APP}.Job).Start"),)),
        ("Other", (("Start", f"(*{APP}.Job).Start"),))]
    assert set(worked_out) == {"Start"}


CANCELS = {"c.go": """package app
type CancelFunc func()
func WithCancel() (int, CancelFunc) { return 0, func() {} }
func WithDeadline() (int, CancelFunc) { return 0, func() {} }
func WithTimeout() (int, CancelFunc) { return WithDeadline() }
type watcher struct{ ctx int; cancel CancelFunc }
func (w *watcher) start() { w.ctx, w.cancel = WithCancel() }
func (w *watcher) stop() { w.cancel() }
func newClient(dial bool) {
    ctx, cancel := WithCancel()
    if dial {
        ctx, cancel = ctx, func() {}
    }
    cancel()
}
func timed() {
    _, cancel := WithTimeout()
    defer cancel()
}
"""}


def test_a_named_func_types_places_are_kept_apart_as_go_vta_keeps_them():
    """Every value of context.CancelFunc was one flow node: `wc.cancel()` (a field assigned
    from WithCancel's second result) was a call of every CancelFunc ever made, newClient's
    `func() {}` among them, and `cancel = func() {}` in one function reached every caller of
    WithCancel. As Go's VTA (golang.org/x/tools/go/callgraph/vta) has it, each result flows into
    the place it is assigned to, and a local declared from a call is its own place: these are
    the edges `callgraph -algo=vta` gives for this file (with a function calling each)."""
    closure = f"{APP}.WithCancel$1"
    assert calls(CANCELS, f"(*{APP}.watcher).stop") == {(closure, graph.FUNCVALUE)}
    assert calls(CANCELS, f"{APP}.newClient") == {(closure, graph.FUNCVALUE),
                                                   (f"{APP}.newClient$1", graph.FUNCVALUE),
                                                   (f"{APP}.WithCancel", graph.STATIC)}
    assert calls(CANCELS, f"{APP}.timed") == {(f"{APP}.WithDeadline$1", graph.DEFER),
                                              (f"{APP}.WithTimeout", graph.STATIC)}


COMMA_OK = {"m.go": """package app
type registry struct{ m map[string]func(); h func() }
func a() {}
func (s *registry) run() {
    s.m["a"] = a
    var h func()
    var ok bool
    h, ok = s.m["a"]
    if ok { h() }
}
func (s *registry) field() {
    var ok bool
    s.h, ok = s.m["a"]
    if ok { s.h() }
}
func (s *registry) declared() {
    g, ok := s.m["a"]
    if ok { g() }
}
"""}


def test_a_comma_ok_read_into_several_targets_still_flows_into_the_first():
    """`h, ok = s.m["a"]` is one value assigned to two targets, but not a call's tuple: the
    map's element flows into h, so `h()` calls what was stored in the map; `g, ok := s.m["a"]`
    makes g the element, as `g := s.m["a"]` does."""
    assert calls(COMMA_OK, f"(*{APP}.registry).run") == {(f"{APP}.a", graph.FUNCVALUE)}
    assert calls(COMMA_OK, f"(*{APP}.registry).field") == {(f"{APP}.a", graph.FUNCVALUE)}
    assert calls(COMMA_OK, f"(*{APP}.registry).declared") == {(f"{APP}.a", graph.FUNCVALUE)}


PACKAGE_TUPLE = {"v.go": """package app
func handler() {}
func mk() (func(), error) { return handler, nil }
var h, herr = mk()
func run() { h() }
"""}


def test_a_package_level_var_declared_from_a_call_of_several_results_gets_each():
    """`var h, herr = mk()` at package level: mk's first result flows into the package
    variable h, as `h, err := mk()` does into a local."""
    assert calls(PACKAGE_TUPLE, f"{APP}.run") == {(f"{APP}.handler", graph.FUNCVALUE)}


LITERAL_ELEMENTS = {"h.go": """package app
type backoff struct{}
func (b *backoff) OnError(err error) {}
type Handler func()
func logError(err error) {}
func validateName(s string) []string { return nil }
func a() {}
const nameField = "name"
var ErrorHandlers = []func(error){
	logError,
	(&backoff{}).OnError,
}
var validators = map[string]func(string) []string{
	nameField: validateName,
}
func HandleError(err error) {
	for _, fn := range ErrorHandlers {
		fn(err)
	}
}
func Validate(key string) {
	if vf, found := validators[key]; found {
		vf(key)
	}
}
func Local() {
	table := []func(error){logError}
	table[0](nil)
}
func Table() map[string]func() { return map[string]func(){"a": a} }
func Returned() { Table()["a"]() }
"""}


def test_functions_in_a_map_or_slice_literal_reach_the_calls_of_its_elements():
    """`var ErrorHandlers = []func(error){logError, (&backoff{}).OnError}` then `fn(err)` for
    each element: the literal's elements (unkeyed, keyed by a constant, method values) flow into
    the elements of the variable, local or result it is kept in, as Go's VTA has them
    (callgraph -algo=vta on k8s.io/apimachinery/pkg/util/runtime: HandleError calls logError and
    (*rudimentaryErrorBackoff).OnError)."""
    assert calls(LITERAL_ELEMENTS, f"{APP}.HandleError") == {
        (f"{APP}.logError", graph.FUNCVALUE), (f"(*{APP}.backoff).OnError", graph.FUNCVALUE)}
    assert calls(LITERAL_ELEMENTS, f"{APP}.Validate") == {(f"{APP}.validateName", graph.FUNCVALUE)}
    called = {(e.callee, e.kind, e.line) for e in edges_of(LITERAL_ELEMENTS)
              if e.caller == f"{APP}.Local"}
    assert (f"{APP}.logError", graph.FUNCVALUE, 28) in called  # table[0](nil), not the store
    assert calls(LITERAL_ELEMENTS, f"{APP}.Returned") == {(f"{APP}.Table", graph.STATIC),
                                                          (f"{APP}.a", graph.FUNCVALUE)}


def test_function_literals_of_package_level_initialisers_are_numbered_across_the_package():
    """`var _ = Describe("…", func() {…})` in each of a package's files (every e2e test file):
    go/ssa numbers these literals init$1, init$2, … across the package's files in their order, as
    it numbers init#N, where each file's was init$1 and 23 closures of test/e2e/apimachinery
    shared one name (show picked one, callees merged their calls)."""
    files = {"a.go": """package app
func Describe(text string, body func()) bool { body(); return true }
func one() {}
func two() {}
var _ = Describe("a", func() { one() })
""", "b.go": """package app
var _ = Describe("b", func() { two(); _ = func() { one() } })
"""}
    edges = edges_of(files)
    assert {(e.caller, e.callee) for e in edges if e.caller.startswith(f"{APP}.init$")} == {
        (f"{APP}.init$1", f"{APP}.one"), (f"{APP}.init$2", f"{APP}.two"),
        (f"{APP}.init$2$1", f"{APP}.one")}


CONVERSIONS = {"lib/lib.go": """package lib
type Func func() bool
""", "m.go": """package app
import "example.com/app/lib"
type Handler func()
type server struct{ handler Handler }
func one() bool { return true }
func two() {}
func three() {}
func four() {}
func five() {}
func six() {}
func seven() {}
func poller() lib.Func {
	return lib.Func(func() bool { return one() })
}
func Wait() {
	check := poller()
	check()
}
func mk() Handler { return (Handler)(two) }
func Made() { mk()() }
func Paren() {
	var h Handler
	h = Handler((three))
	h()
}
func run(f Handler) { f() }
func Passed() { run(Handler(four)) }
func Stored() {
	s := server{handler: Handler(five)}
	s.handler()
}
func Unnamed() {
	f := (func())(six)
	f()
}
func never() bool { return false }
func eight() {}
func Direct() { Handler(eight)() }
func Other() {
	var h Handler = seven
	f := lib.Func(never)
	_, _ = h, f
}
"""}


def test_a_conversion_to_a_func_type_carries_its_operands_function():
    """`return lib.Func(func() bool {…})` (wait.poller's `return WaitWithContextFunc(func…)`):
    a conversion to a func type, named here or in another package, parenthesised or not, is its
    operand's function wherever it goes: a result, an assignment, an argument, a field of a
    literal. It is that function alone, not every value of the type: seven, kept in a Handler,
    reaches none of these calls, nor never, converted to a lib.Func. These are the edges
    `callgraph -algo=vta` gives for this file (as package main with lib beside it; Unnamed's
    `f()` is a static call of six there)."""
    assert calls(CONVERSIONS, f"{APP}.Wait") == {(f"{APP}.poller", graph.STATIC),
                                                 (f"{APP}.poller$1", graph.FUNCVALUE)}
    assert calls(CONVERSIONS, f"{APP}.Made") == {(f"{APP}.mk", graph.STATIC),
                                                 (f"{APP}.two", graph.FUNCVALUE)}
    assert calls(CONVERSIONS, f"{APP}.Paren") == {(f"{APP}.three", graph.FUNCVALUE)}
    assert calls(CONVERSIONS, f"{APP}.run") == {(f"{APP}.four", graph.FUNCVALUE)}
    assert calls(CONVERSIONS, f"{APP}.Stored") == {(f"{APP}.five", graph.FUNCVALUE)}
    assert {callee for callee, _ in calls(CONVERSIONS, f"{APP}.Unnamed")} == {f"{APP}.six"}


def test_a_call_of_a_conversion_calls_the_converted_function():
    """`Handler(eight)()` calls eight, as a dynamic call (`callgraph -algo=vta` on this file as
    package main: Direct calls eight, "dynamic function call"); it was an unresolved edge."""
    called = {(e.callee, e.kind) for e in edges_of(CONVERSIONS)
              if e.caller == f"{APP}.Direct" and e.via == "converted function"}
    assert called == {(f"{APP}.eight", graph.FUNCVALUE)}
