"""The scheduler package's one error root and the errors a user can cause."""
from __future__ import annotations


class SchedulerError(Exception):
    """Root of every error the reference scheduler raises on purpose."""


class ConfigError(SchedulerError):
    """A plugin configuration file or entry the scheduler cannot use."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class PluginNotFound(ConfigError):
    """A configuration names a plugin that is neither registered nor importable."""

    def __init__(self, name: str, path: str | None = None) -> None:
        self.name = name
        super().__init__(f"plugin {name!r} is not registered and is not an importable 'module:Class' path", path)
