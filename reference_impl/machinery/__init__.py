"""The layer every reference component stands on: clocks, label and field selectors, object keys
and references, the request actions a core hands its adapter, wire time formats, and the one
`main(argv, env)` a component process runs through. Nothing here imports a component."""
