"""udiplo command-line package (thin layer over ``pipeline`` and ``corpus``)."""

__version__ = "0.1.0"
