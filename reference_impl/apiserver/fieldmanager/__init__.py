"""Field management and server-side apply (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager and
sigs.k8s.io/structured-merge-diff/v4), one module per job:

- `fieldpath`: field paths, and sets of them in the fieldsV1 encoding;
- `typed`: objects walked with their kind's schema (field sets, comparison, merge, removal);
- `updater`: who owns which field after an update or an apply, and apply's conflicts;
- `managedfields`: metadata.managedFields entries decoded and encoded;
- `fieldmanager`: the field manager a handler runs on every write, and on an apply patch.
"""
from reference_impl.apiserver.fieldmanager.fieldmanager import (LOOPBACK_FIELD_MANAGER, FieldManager,
                                                                 manager_or_user_agent)

__all__ = ["FieldManager", "LOOPBACK_FIELD_MANAGER", "manager_or_user_agent"]
