"""A progress bar that leaves a finished state behind, in a notebook and in a terminal.

In a Jupyter kernel the bar is a widget shown under a display id, and :meth:`Progress.finish`
replaces that output with a one-line summary: a saved notebook (a learner's, or one papermill
recorded, where widgets keep the text they had when first shown: 0%) holds the summary, never a
frozen bar. Elsewhere tqdm draws on stderr as usual and the caller prints the result.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Progress", "in_notebook_kernel"]


def in_notebook_kernel() -> bool:
    """True inside a Jupyter kernel (JupyterLab, papermill), where output can be replaced."""
    try:  # IPython is there only where JupyterLab or papermill is installed
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


class Progress:
    """A bar counting to ``total`` (no bar when ``total`` is 0); use it as a context manager."""

    def __init__(self, total: int, desc: str, unit: str) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.notebook = in_notebook_kernel()
        self.bar: Any = None
        self.handle: Any = None

    def __enter__(self) -> Progress:
        if self.total and self.notebook:
            # Imported here: tqdm.notebook pulls in ipywidgets, needed only for a bar in a kernel.
            from IPython.display import display
            from tqdm.notebook import tqdm as notebook_tqdm

            self.bar = notebook_tqdm(
                total=self.total, desc=self.desc, unit=self.unit, display=False
            )
            self.handle = display(self.bar.container, display_id=True)
        elif self.total:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit=self.unit)
        return self

    def update(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def finish(self, summary: str) -> None:
        """Show ``summary`` where the bar was (notebooks only; a terminal keeps its bar)."""
        if not self.notebook:
            return
        from IPython.display import display

        if self.handle is not None:
            self.bar.close()
            self.handle.update({"text/plain": summary}, raw=True)
            self.handle = None
        else:
            display({"text/plain": summary}, raw=True)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.close()
