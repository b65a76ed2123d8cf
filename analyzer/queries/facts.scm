; Every node kind that carries a fact kubeatlas records about a Go file. Python classifies the
; captures and assigns each to its enclosing function by position; it never walks the tree.

(package_clause (package_identifier) @package)
(import_spec) @import
(type_spec) @type
(type_alias) @type
(function_declaration) @func
(method_declaration) @func
(func_literal) @funclit
(call_expression) @call
; The calls that go and defer statements make (with no parentheses around them).
(go_statement (call_expression) @go)
(defer_statement (call_expression) @defer)
(composite_literal) @composite
; A literal whose type is left out, as an element or a map value of another ([]T{{f, g}},
; map[string]T{"k": {f}}): its type is the other's element type.
(literal_value (literal_element (literal_value) @composite))
(keyed_element value: (literal_element (literal_value) @composite))
; One as a map key (map[K]V{{a, b}: v}) holds its own elements, never the map's.
(keyed_element key: (literal_element (literal_value) @key_literal))
; Elements of a literal's own body whose value could be a function or hold one (a nested literal,
; [][]func(){{f}}; a call, whose result it is: Handler: wrap(h), []func(){mk()}), keyed by a field
; name or a map key or index of any kind (metav1.ObjectNameField, "a", 1, {k: 1}), or unkeyed
; ([]func(){a, b}, T{f, g}); parse.py checks the exact shape. Unkeyed numbers and strings are never
; captured, but a table of names ([]string{a, b}, T{x, y}) is listed element by element.
(literal_value
  (keyed_element
    key: (literal_element)
    value: (literal_element [(identifier) (selector_expression) (func_literal) (literal_value)
                             (composite_literal) (call_expression)
                             (type_conversion_expression)])) @keyed)
(literal_value
  (literal_element [(identifier) (selector_expression) (func_literal) (literal_value)
                    (composite_literal) (call_expression) (type_conversion_expression)]) @keyed)
(var_spec) @var
(short_var_declaration) @var
; A select case's receive (case ev, ok := <-ch:) declares or assigns as the others do.
(receive_statement left: (_)) @var
(assignment_statement) @assign
(return_statement) @return
(range_clause) @range
(type_switch_statement) @typeswitch
