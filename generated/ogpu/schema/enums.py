# PLACEHOLDER written by hand until the generator emits this module with the same interface.
from __future__ import annotations
from enum import Enum


class Role(Enum):
    CLIENT = "client"
    PROVIDER = "provider"
    MASTER = "master"
    AGENT = "agent"

    @property
    def env_var(self) -> str:
        return f"{self.value.upper()}_PRIVATE_KEY"
