"""Kernel managers that shut a kernel down without interrupting it first.

jupyter_client's ``shutdown_kernel`` sends SIGINT before its shutdown request. A kernel that is
still importing (Ctrl-C right after a notebook was opened) prints a ``KeyboardInterrupt``
traceback; one that is between handling a message and restoring its SIGINT handler (after a
notebook's last cell) logs ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.``. Neither
is about anything that went wrong. The shutdown request alone stops a kernel (ipykernel answers
it on the control channel, even while a cell runs), and one that does not stop in time is still
killed, so nothing is left running and real kernel errors are still shown. An interrupt at any
other moment (the learner's ■ button) is unchanged.

``scim-course run`` uses :class:`QuietShutdownKernelManager` through papermill;
``scim-course lab`` gives JupyterLab :class:`QuietShutdownServerKernelManager`.
"""

from __future__ import annotations

from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

__all__ = ["QuietShutdownKernelManager", "QuietShutdownServerKernelManager"]


class _NoInterruptOnShutdown:
    shutting_down: bool

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        parent: Any = super()
        await parent._async_interrupt_kernel()


class QuietShutdownKernelManager(_NoInterruptOnShutdown, AsyncKernelManager):  # type: ignore[misc]
    """jupyter_client's AsyncKernelManager, shutting down without a SIGINT first."""


class QuietShutdownServerKernelManager(_NoInterruptOnShutdown, ServerKernelManager):  # type: ignore[misc]
    """jupyter_server's ServerKernelManager (JupyterLab's), shutting down without a SIGINT."""
