"""ogpu-codegen: turns contract ABIs plus one config of protocol facts into a typed Python SDK.

Stages, each usable and testable alone:

1. :mod:`codegen.abi` loads and validates ABI JSON (and canonicalises it for ``abis/``);
2. :mod:`codegen.config` loads the protocol facts the ABI lacks (``abis/ogpu.toml``);
3. :mod:`codegen.model` builds a typed, frozen model (names from :mod:`codegen.naming`);
4. :mod:`codegen.render` renders the model with one strict jinja2 environment;
5. :mod:`codegen.fmt` formats the rendered text with the pinned black, in-process;
6. :mod:`codegen.write` is the only stage that touches the disk.
"""

__version__ = "0.3.0"
