"""refcheck: a citation and footnote reference checker for articles."""

__version__ = "0.1.0"
