"""Importing this module registers every CLI command on the shared typer app.

One import per command module; each module owns its commands.
"""

from __future__ import annotations
from . import samples  # noqa: F401
from . import custody  # noqa: F401
from . import entry  # noqa: F401
from . import windows  # noqa: F401
from . import run  # noqa: F401
from . import rendezvous  # noqa: F401
from . import ascent  # noqa: F401
