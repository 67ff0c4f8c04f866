"""A tiny Nautobot app whose model has a field its migrations lack: Django sees an unreflected change."""

from nautobot.apps import NautobotAppConfig


class FixtureUnreflectedConfig(NautobotAppConfig):
    name = "fixture_unreflected"
    verbose_name = "Fixture: unreflected model change"
    version = "0.1.0"
    base_url = "fixture-unreflected"
    description = "Test app for nautobot_ops.lifecycle"


config = FixtureUnreflectedConfig  # pylint: disable=invalid-name
