"""The status bar: a message, job progress with its Cancel button, zoom, device, model and timing.

:class:`StatusBarPresenter` owns the bar's widgets and keeps what they show (model,
inference time, zoom), so a language switch can write every label again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, Qt
from PyQt5.QtWidgets import QAction, QLabel, QProgressBar, QStatusBar, QToolButton

from fundus_app.gui.i18n import fmt
from fundus_app.gui.review_queue import ReviewQueue

_translate = QCoreApplication.translate


def stage_text(stage: str) -> str:
    """The user's words for a job's stage (``Progress.stage``)."""
    return {
        "load": _translate("MainWindow", "loading"),
        "model": _translate("MainWindow", "loading the model"),
        "preprocess": _translate("MainWindow", "preprocessing"),
        "network": _translate("MainWindow", "segmenting vessels"),
        "crf": _translate("MainWindow", "dense CRF"),
        "postprocess": _translate("MainWindow", "finishing"),
        "display": _translate("MainWindow", "preparing the display"),
        "done": _translate("MainWindow", "done"),
    }.get(stage, stage)


class StatusBarPresenter(QObject):
    """Shows messages, progress and the model, device, time and zoom in ``bar``.

    It follows ``queue`` (its messages, job progress and the model); the window tells it the
    rest (the inference time and zoom of the image on screen, its own messages).
    """

    def __init__(self, bar: QStatusBar, cancel_action: QAction, queue: ReviewQueue,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar, self.queue = bar, queue
        self.cancel_action = cancel_action
        self.text = QLabel()
        self.text.setObjectName("statusText")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(cancel_action)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.cancel_button.hide()
        self.zoom_label = QLabel()
        self.device_label = QLabel()
        self.device_label.setObjectName("deviceLabel")
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.time_label = QLabel()
        self.time_label.setObjectName("timeLabel")
        bar.addWidget(self.text, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        for w in (self.zoom_label, self.device_label, self.model_label, self.time_label):
            bar.addPermanentWidget(w)
        cancel_action.setEnabled(False)
        self._model: dict[str, Any] | None = None
        self._model_error = ""
        self._device = queue.prefs.device
        self._seconds: float | None = None
        self._zoom: float | None = None
        queue.message_posted.connect(self.show_message)
        queue.job_started.connect(self._on_job_started)
        queue.job_progressed.connect(self._on_job_progressed)
        queue.all_jobs_ended.connect(self._on_all_jobs_ended)
        queue.model_changed.connect(self._on_model_changed)
        self.retranslate()

    # -- what happens -------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        """One line on the left of the bar, until the next one."""
        self.text.setText(text)

    def message(self) -> str:
        return self.text.text()

    def _on_job_started(self, _path: str) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_action.setEnabled(True)

    def _on_job_progressed(self, path: str, fraction: float, stage: str) -> None:
        self.progress.setValue(round(100 * fraction))
        self.show_message(fmt(_translate("MainWindow", "%1: %2..."), Path(path).name, stage_text(stage)))

    def _on_all_jobs_ended(self) -> None:
        """Every job the window asked for has reported back: no progress to show."""
        self.progress.hide()
        self.cancel_button.hide()
        self.cancel_action.setEnabled(False)

    # -- what is shown permanently --------------------------------------------------------------
    def set_model(self, info: dict[str, Any] | None, error: str = "", device: str = "auto") -> None:
        """The loaded model (name, device, sha256), or why it is unavailable; ``device``: the choice."""
        self._model, self._model_error, self._device = (dict(info) if info else None), error, device
        self._update_model()

    def _on_model_changed(self) -> None:
        self.set_model(self.queue.model_info, self.queue.model_error, self.queue.prefs.device)

    def set_inference_seconds(self, seconds: float | None) -> None:
        """Inference time of the image on screen (None or 0: none shown)."""
        self._seconds = seconds or None
        self._update_time()

    def set_zoom(self, scale: float | None) -> None:
        """Zoom of the panes (None: no image shown)."""
        self._zoom = scale
        self.zoom_label.setText(fmt(_translate("MainWindow", "Zoom %1"), f"{scale:.0%}") if scale is not None else "")

    def retranslate(self) -> None:
        """Write every label again in the current language (from what is stored, not what is shown)."""
        self._update_model()
        self._update_time()
        self.set_zoom(self._zoom)

    def _update_model(self) -> None:
        if self._model:
            self.device_label.setText(fmt(_translate("MainWindow", "Device: %1"), self._model["device"]))
            self.model_label.setText(fmt(_translate("MainWindow", "Model: %1"), self._model["name"]))
            self.model_label.setToolTip(f"SHA-256 {self._model.get('sha256', '')}")
            return
        self.device_label.setText(fmt(_translate("MainWindow", "Device: %1"), self._device))
        if self._model_error:
            self.model_label.setText(_translate("MainWindow", "Model: unavailable"))
            self.model_label.setToolTip(self._model_error)
        else:
            self.model_label.setText(_translate("MainWindow", "Model: loading..."))

    def _update_time(self) -> None:
        if self._seconds:
            self.time_label.setText(fmt(_translate("MainWindow", "Inference: %1 s"), f"{self._seconds:.2f}"))
        else:
            self.time_label.setText(_translate("MainWindow", "Inference: –"))
