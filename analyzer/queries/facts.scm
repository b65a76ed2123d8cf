; Every node kind that carries a fact kubeatlas records about a Go file. Python classifies the
; captures, reads at most a captured node's children, and assigns each to its enclosing function by
; position; it never walks the tree.

(package_clause (package_identifier) @package)
(import_spec) @import
(type_spec) @type
(type_alias) @type
(function_declaration) @func
(method_declaration) @func
(func_literal) @funclit
(call_expression) @call
; `g[int](x)` and `pkg.G[int, string](x)`: a call of a generic function instantiated in place, which
; tree-sitter-go cannot tell from a conversion to a generic type; parse.py keeps those whose type
; has type arguments, and the resolver decides which they are. `handlers[name](x)` and
; `go fs[i](3)` are read the same way: calls of an element, kept as call sites too.
(type_conversion_expression) @call
; go and defer statements: parse.py reads the call each makes one level down (`spawned_calls`),
; as a node-and-child pattern would cost N² for statements nested N deep (see below).
(go_statement) @go
(defer_statement) @defer
(composite_literal) @composite
; Every literal body `{…}`: parse.py reads its elements one level down (`literal_elements`). A
; pattern of a node and its child costs tree-sitter a state for each enclosing match while it
; walks the inside: literals nested N deep would cost N² (a Go file sets no bound).
(literal_value) @literal_body
(var_spec) @var
(short_var_declaration) @var
; A select case's receive (case ev, ok := <-ch:) declares or assigns as the others do.
(receive_statement left: (_)) @var
(assignment_statement) @assign
; `ch <- f`: kept as an assignment to what `<-ch` reads (see parse.py `on_send`).
(send_statement) @send
(return_statement) @return
(range_clause) @range
(type_switch_statement) @typeswitch
