"""The workstation window (PyQt5). The only package that imports Qt.

Entry point: :func:`fundus_app.gui.app.run`. Nothing here is imported by the core.
"""
