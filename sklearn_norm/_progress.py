"""A tiny progress bar on stderr for the command line (no dependency)."""

import sys
import time


class Progress:
    """Draw ``label [#####.....] 52%`` on one line of a terminal, throttled.

    Parameters
    ----------
    label : str
        Text before the bar.
    total : int or None
        Amount of work (bytes or rows); None shows only the count done.
    enabled : bool or None, default=None
        None draws only when the stream is a terminal.
    stream : file, default=sys.stderr
        Where to draw.
    """

    def __init__(self, label, total, enabled=None, stream=None):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label, self.total, self.enabled = label, total, enabled
        self.done, self._last = 0, 0.0

    def update(self, done, force=False):
        """Record that ``done`` units of work are complete and redraw at most 10 times a second."""
        self.done = done
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            text = f"\r{self.label} [{bar:<30}] {frac:4.0%}"
        else:
            text = f"\r{self.label} {done:,}"
        self.stream.write(text)
        self.stream.flush()

    def close(self, finished=True):
        """Draw the final state (when ``finished``) and end the line, if anything was drawn."""
        if not self.enabled:
            return
        if finished:
            self.update(self.total or self.done, force=True)
        if self._last:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(finished=exc_type is None)
