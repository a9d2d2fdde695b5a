"""The wizard's live curves: a legend lists only the figures the run has."""

from __future__ import annotations

from fmstudio.core.train.events import WARM_UP, EpochMetrics
from fmstudio.ui.widgets.curves import LiveCurves


def epoch(n: int, phase: str = "full", **named: float) -> EpochMetrics:
    return EpochMetrics(phase, n, 3, 1.0, 0.5, 0.8, 0.6, True, 1.0, dict(named))


def test_the_legend_lists_what_the_run_measures_and_forgets_a_previous_run(qtbot) -> None:
    """A classifier's chart listed "val WER" (a speech run's figure)."""
    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.history.add(epoch(1, wer=0.3))
    curves.redraw()
    assert "val WER" in curves.legend_labels()
    curves.reset()  # the wizard trains an image classifier next
    curves.history.add(epoch(1, WARM_UP))
    curves.history.add(epoch(1))
    curves.redraw()
    labels = curves.legend_labels()
    assert "val WER" not in labels
    assert {"val loss", "val accuracy", "train loss", "warm-up val loss"} <= set(labels)


def test_the_legends_sit_under_the_charts_not_on_the_curves(qtbot) -> None:
    """Validation accuracy climbs into the top right corner, where the legend stood."""
    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 320)
    curves.show()
    for n in (1, 2, 3):
        curves.history.add(epoch(n))
    curves.redraw()
    qtbot.wait(50)
    for plot, legend in (
        (curves.epoch_plot, curves.epoch_legend),
        (curves.loss_plot, curves.loss_legend),
    ):
        data_area = plot.getViewBox().sceneBoundingRect()
        box = legend.sceneBoundingRect()
        assert box.height() > 0
        assert not box.intersects(data_area)
        assert box.top() >= data_area.bottom()
