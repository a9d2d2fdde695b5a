"""The comparison of a retrained model with its previous one, for a family other than the
classifier's: every figure in view, the changed images coloured by which model did better."""

from __future__ import annotations

from fmstudio.core.detect.compare import DetectComparison, ImageChange
from fmstudio.core.detect.evaluate import DetectionEvaluation
from fmstudio.core.detect.metrics import DetectionScores, ImageMistakes
from fmstudio.ui.widgets.comparison_view import BETTER, WORSE, ComparisonView


def _measured(model: str, map_: float) -> DetectionEvaluation:
    scores = DetectionScores(map_, map_ + 0.2, {"coin": map_}, 0.9, 0.8, 0.3, 4, 33)
    return DetectionEvaluation(model, scores, ["coin"])


def test_a_detectors_comparison_shows_every_figure_and_its_changed_images(qtbot) -> None:
    fewer = ImageChange(
        "/d/val/a.jpg", ImageMistakes("/d/val/a.jpg", 5, 1), ImageMistakes("/d/val/a.jpg", 1, 0)
    )
    more = ImageChange(
        "/d/val/b.jpg", ImageMistakes("/d/val/b.jpg", 0, 0), ImageMistakes("/d/val/b.jpg", 0, 2)
    )
    compared = DetectComparison(
        "/d", "coins v1", _measured("coins v1", 0.41), _measured("new", 0.55), [fewer, more]
    )
    view = ComparisonView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    view.show_comparison(compared)
    figures = view.figures
    assert [figures.verticalHeaderItem(r).text() for r in range(3)] == ["mAP", "mAP@0.5", "recall"]
    assert [figures.item(0, c).text() for c in range(3)] == ["0.410", "0.550", "+0.140"]
    in_view = figures.viewport().rect()
    assert all(in_view.contains(figures.visualItemRect(figures.item(r, 2))) for r in range(3))
    headers = [view.changed.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers == list(DetectComparison.change_headers)
    assert [view.changed.item(0, c).text() for c in range(5)] == ["val/a.jpg", "5", "1", "1", "0"]
    assert view.changed.item(0, 0).foreground().color() == BETTER
    assert view.changed.item(1, 0).foreground().color() == WORSE
    assert "1 with fewer mistakes, 1 with more" in view.summary.text()
