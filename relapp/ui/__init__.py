"""The Qt user interface: one package per view, the main window and shared widgets."""
