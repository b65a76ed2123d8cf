"""The layer every reference component stands on, one job per module: `clock` (time passed in),
`labels` and `fields` (selectors, plain SelectorError), `scheduling` (node affinity, tolerations),
`objects` (keys, owner references, conditions), `actions` (the requests a core hands its adapter),
`timefmt` (metav1 times on the wire), `names` (generated names), `cron` (robfig/cron schedules)
and `process` (the one `main(argv, env)` of every component process). Nothing here imports a component."""
