"""A bar chart of transit times: delivered shipments per business day from first scan to delivery."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot


class TransitPlot(PlotextPlot):
    """Calls go down: :meth:`plot` with the histogram. Only numbers reach plotext (its output
    is read back as ANSI), so carrier text never passes through it."""

    DEFAULT_CSS = """
    TransitPlot {
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: tuple[tuple[int, int], ...] = ()

    def plot(self, histogram: Sequence[tuple[int, int]]) -> None:
        """``histogram``: (business days, shipments) pairs, every day from 0 to the longest."""
        self.series = tuple(histogram)
        plt = self.plt
        plt.clear_data()
        plt.xlabel("business days, first scan → delivery")
        plt.ylabel("shipments")
        if self.series:
            days = [float(day) for day, _ in self.series]
            plt.bar(days, [n for _, n in self.series], width=0.8)
            step = -(-len(days) // 16)  # at most 16 day labels
            plt.xticks(days[::step], [str(int(day)) for day in days[::step]])
            most = max(n for _, n in self.series)
            if most <= 8:  # whole shipments; plotext would tick a few at 0.5, 1.5 …
                plt.yticks([float(n) for n in range(most + 1)], [str(n) for n in range(most + 1)])
        self.refresh()
