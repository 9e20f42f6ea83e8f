"""udiplo's processing library: extraction, normalisation, segmentation, embeddings, themes, taxonomy.

Importing this package is cheap; heavy libraries load inside the functions that need them.
"""

__version__ = "0.1.0"
