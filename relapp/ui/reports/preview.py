"""A PDF shown inside the app, printed through the Qt print dialog, or saved as a file.

PDFium (pypdfium2) draws the pages: Qt's own PDF module ships in the large PySide6-Addons.
Pages are drawn when they scroll into view, so a 200-page segment list previews at once;
printing draws each page again at the printer's resolution (at most PRINT_DPI).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from relapp.db.live_files import DatabaseFileRefused, refuse_database_files

MAX_PREVIEW_WIDTH = 900  # pixels a page is drawn at on screen, at most
MIN_PREVIEW_WIDTH = 300
PRINT_DPI = 300
PAGE_GAP = 14


def render_page(document: pypdfium2.PdfDocument, index: int, width: int) -> QImage:
    """Page index drawn width pixels wide, as a QImage that owns its pixels."""
    page = document[index]
    try:
        scale = width / page.get_width()
        bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB(A) byte order for Qt
        try:
            rgba = bitmap.n_channels == 4
            image_format = QImage.Format.Format_RGBA8888 if rgba else QImage.Format.Format_RGB888
            image = QImage(
                bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, image_format
            ).copy()  # PDFium's buffer is freed below
        finally:
            bitmap.close()
    finally:
        page.close()
    return image


class PdfPreview(QScrollArea):
    """The pages of one PDF, one under the other, drawn as they come into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_widget = QWidget(objectName="pdfPages")
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setSpacing(PAGE_GAP)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(self.pages_widget)
        self.path: Path | None = None
        self.document: pypdfium2.PdfDocument | None = None
        self.page_labels: list[QLabel] = []
        self.drawn: set[int] = set()
        self.page_width = MAX_PREVIEW_WIDTH
        self.draw_timer = QTimer(self, singleShot=True, interval=30)
        self.draw_timer.timeout.connect(self.draw_visible_pages)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.draw_timer.start())
        self.resize_timer = QTimer(self, singleShot=True, interval=120)
        self.resize_timer.timeout.connect(self.fit_pages)

    def load(self, path: Path) -> int:
        """Show the PDF at path; returns its page count."""
        self.clear()
        self.path = Path(path)
        self.document = pypdfium2.PdfDocument(str(path))
        for _index in range(len(self.document)):
            label = QLabel(objectName="pdfPage", alignment=Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background: white; border: 1px solid #c9d3d1;")
            self.page_labels.append(label)
            self.pages_layout.addWidget(label)
        self.page_width = 0  # sized to the viewport by fit_pages
        self.fit_pages()
        return len(self.page_labels)

    def fit_pages(self) -> None:
        """Pages as wide as the view (within limits), drawn again if the width changed."""
        if self.document is None:
            return
        width = self.viewport().width() - 2 * PAGE_GAP
        width = max(MIN_PREVIEW_WIDTH, min(MAX_PREVIEW_WIDTH, width))
        if width != self.page_width:
            self.page_width = width
            self.drawn = set()
            for index, label in enumerate(self.page_labels):
                page_width, page_height = self.document.get_page_size(index)
                label.setPixmap(QPixmap())
                label.setFixedSize(QSize(width, round(width * page_height / page_width)))
        self.draw_visible_pages()

    def clear(self) -> None:
        for label in self.page_labels:
            label.deleteLater()
        self.page_labels = []
        self.drawn = set()
        if self.document is not None:
            self.document.close()
        self.document = None
        self.path = None

    def draw_visible_pages(self) -> None:
        if self.document is None:
            return
        top = self.verticalScrollBar().value()
        reach = self.viewport().height()  # a screen above and below is drawn ahead
        visible = QRect(0, top - reach, 10_000, 3 * reach)
        for index, label in enumerate(self.page_labels):
            if index in self.drawn:
                continue
            if label.geometry().intersects(visible) or index == 0:
                image = render_page(self.document, index, self.page_width)
                label.setPixmap(QPixmap.fromImage(image))
                self.drawn.add(index)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resize_timer.start()

    # -- print and save -----------------------------------------------------------------------

    def print_document(self) -> bool:
        """The Qt print dialog, then every chosen page at the printer's resolution."""
        if self.document is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.path.stem if self.path else "Relapp report")
        printer.setFromTo(1, len(self.page_labels))
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        return print_pdf(self.document, printer)

    def save_as(self, suggested_name: str) -> Path | None:
        if self.path is None:
            return None
        target, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save report"), suggested_name, self.tr("PDF documents (*.pdf)")
        )
        if not target:
            return None
        target_path = Path(target)
        if target_path.suffix.lower() != ".pdf":
            target_path = target_path.with_suffix(".pdf")
        try:
            shutil.copyfile(self.path, refuse_database_files(target_path))
        except DatabaseFileRefused as error:
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return None
        except OSError as error:
            QMessageBox.warning(
                self, self.tr("Relapp"), self.tr("Cannot save {path}: {reason}.").format(
                    path=target_path, reason=error.strerror or error
                )
            )  # fmt: skip
            return None
        return target_path


def print_pdf(document: pypdfium2.PdfDocument, printer: QPrinter) -> bool:
    """Draw the printer's page range of document on it, each page fitted to the paper."""
    first = max(printer.fromPage(), 1)
    last = printer.toPage() or len(document)
    last = min(last, len(document))
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        area = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
        area.moveTo(0, 0)
        dpi = min(printer.resolution(), PRINT_DPI)
        for number in range(first, last + 1):
            if number > first:
                printer.newPage()
            width_points = document.get_page_size(number - 1)[0]
            image = render_page(document, number - 1, round(width_points / 72 * dpi))
            fitted = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.topLeft(), fitted), image)
    finally:
        painter.end()
    return True
