"""PDF reports, drawn with reportlab: no Qt here, so the command line and the app share them."""
