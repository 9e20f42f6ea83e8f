"""Prefect flows: thin wrappers over pipeline/ and corpus/."""
