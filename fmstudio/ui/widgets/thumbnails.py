"""The core's Qt-free thumbnails as pixmaps (the core decodes; the window only draws)."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPixmap

from fmstudio.core.data.thumbnail import Thumbnail


def pixmap_of(thumb: Thumbnail) -> QPixmap:
    image = QImage(
        thumb.rgb, thumb.width, thumb.height, thumb.width * 3, QImage.Format.Format_RGB888
    )
    return QPixmap.fromImage(image.copy())
