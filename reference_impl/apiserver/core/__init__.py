"""The apiserver's sans-IO core: registry, admission, validation, patch, handlers that return responses."""
