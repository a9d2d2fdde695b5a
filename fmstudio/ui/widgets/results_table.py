"""A sortable, filterable table of classifier results that grows as batches arrive."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.classify.results import ItemResult
from fmstudio.ui.widgets.thumbnails import pixmap_of

INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
"""Each row keeps the index of its result in `_results` (the one place results live); rows
are appended in order, so it is also the row of the source model."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
NOTE_ROLE = Qt.ItemDataRole.UserRole + 3
"""A marked row's detail as it was before the mark."""
REVIEWED = "#e6f4ea"
UNSURE = "#b35c00"
"""Amber: a score the model itself does not trust."""
COL_ITEM, COL_LABEL, COL_SCORE, COL_DETAIL, COL_MODEL = range(5)


class _LabelFilter(QSortFilterProxyModel):
    """Keeps rows whose label contains the filter text (case-insensitive)."""

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        needle = self.filterRegularExpression().pattern().lower()
        if not needle:
            return True
        label = self.sourceModel().index(row, COL_LABEL, parent).data() or ""
        return needle in str(label).lower()


def _score_cell(score: float | None, unsure_below: float) -> QStandardItem:
    if score is None:
        cell = QStandardItem("")
    elif score < unsure_below:
        cell = QStandardItem(f"unsure · {score:.1%}")
        cell.setForeground(QColor(UNSURE))
        cell.setToolTip(
            f"Under {unsure_below:.0%}, the score below which this model was right less than "
            "95 % of the time on its validation files"
        )
    else:
        cell = QStandardItem(f"{score:.1%}")
    cell.setData(-1.0 if score is None else score, SORT_ROLE)
    return cell


class ResultsTable(QWidget):
    """Item (file or row, with a thumbnail when there is one), top label, score, detail."""

    result_selected = Signal(object)

    def __init__(
        self,
        item_header: str = "File",
        detail_header: str = "Details",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [item_header, "Label", "Score", detail_header, "Model"]
        )
        self.proxy = _LabelFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by label…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip("Show only rows whose top label contains this text")
        self.filter_edit.textChanged.connect(self._on_filter)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SCORE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_DETAIL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_MODEL, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(COL_ITEM, 320)
        self.view.selectionModel().currentRowChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        self._results: list[ItemResult] = []
        self._models: set[str] = set()
        self._show_model_column()

    def set_row_height(self, pixels: int) -> None:
        self.view.verticalHeader().setDefaultSectionSize(pixels)
        self.view.setIconSize(
            self.view.iconSize().scaled(pixels - 4, pixels - 4, Qt.AspectRatioMode.KeepAspectRatio)
        )

    def add_results(
        self,
        results: Sequence[ItemResult],
        details: Sequence[str] | None = None,
        model: str = "",
        unsure_below: float = 0.0,
    ) -> None:
        """Append rows; `model` names the model that ranked them (shown once there are two),
        and a top score under its `unsure_below` reads "unsure"."""
        for i, r in enumerate(results):
            item = QStandardItem(r.path)
            item.setData(len(self._results), INDEX_ROLE)
            self._results.append(r)
            item.setData(r.path.lower(), SORT_ROLE)
            item.setToolTip(r.path)
            if r.thumbnail is not None:
                item.setData(pixmap_of(r.thumbnail), Qt.ItemDataRole.DecorationRole)
            top = r.top
            label = QStandardItem(top.label if top else "")
            label.setData((top.label if top else "").lower(), SORT_ROLE)
            score = _score_cell(top.score if top else None, unsure_below)
            score.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            detail_text = f"Error: {r.error}" if r.error else (details[i] if details else "")
            detail = QStandardItem(detail_text)
            detail.setData(detail_text.lower(), SORT_ROLE)
            detail.setToolTip(detail_text)
            if r.error:
                for cell in (item, detail):
                    cell.setForeground(QColor("#c92a2a"))
            self._models.add(model)
            by = QStandardItem(model)
            by.setData(model.lower(), SORT_ROLE)
            self.model.appendRow([item, label, score, detail, by])
        self._show_model_column()

    def _show_model_column(self) -> None:
        """Rows from more than one model say which one ranked each; one model needs no column."""
        self.view.setColumnHidden(COL_MODEL, len(self._models) < 2)

    def clear(self) -> None:
        self._results.clear()
        self._models.clear()
        self.model.removeRows(0, self.model.rowCount())
        self._show_model_column()

    def results(self) -> list[ItemResult]:
        return list(self._results)

    def visible_rows(self) -> int:
        return self.proxy.rowCount()

    def select_row(self, row: int) -> None:
        """Make this shown row current and the only one selected.

        Through the selection model with explicit flags: the view's own `setCurrentIndex`
        reads the keyboard's modifiers, so from a Ctrl+ shortcut it would toggle the row off.
        """
        flags = QItemSelectionModel.SelectionFlag
        index = self.proxy.index(row, COL_ITEM)
        self.view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.view.scrollTo(index)

    def select_result(self, index: int) -> None:
        """Make the row of result `index` the only selected one, and show it."""
        row = self.proxy.mapFromSource(self.model.index(index, COL_ITEM))
        if row.isValid():
            self.select_row(row.row())

    def selected_indices(self) -> list[int]:
        """The results of the selected rows, in the order they are shown."""
        rows = sorted(self.view.selectionModel().selectedRows(COL_ITEM), key=lambda i: i.row())
        return [self.proxy.mapToSource(i).row() for i in rows]

    def current_index(self) -> int | None:
        current = self.view.currentIndex()
        return self.proxy.mapToSource(current).row() if current.isValid() else None

    def sort_by_score(self) -> None:
        """Least sure first: what a review goes through."""
        self.view.sortByColumn(COL_SCORE, Qt.SortOrder.AscendingOrder)

    def mark(self, index: int, note: str | None) -> None:
        """Show what became of a result (`note`) before its detail, or take it away (None);
        the detail stays readable (a text's snippet is what a review decides on)."""
        cell = self.model.item(index, COL_DETAIL)
        if cell.data(NOTE_ROLE) is None:
            cell.setData(cell.text(), NOTE_ROLE)
        detail = str(cell.data(NOTE_ROLE))
        if note is None:
            cell.setText(detail)
            for col in range(self.model.columnCount()):
                self.model.item(index, col).setBackground(QBrush())
            return
        cell.setText(f"{note} · {detail}" if detail else note)
        for col in range(self.model.columnCount()):
            self.model.item(index, col).setBackground(QColor(REVIEWED))

    @Slot(str)
    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        source = self.proxy.mapToSource(current)
        index = self.model.item(source.row(), COL_ITEM).data(INDEX_ROLE)
        self.result_selected.emit(self._results[index])
