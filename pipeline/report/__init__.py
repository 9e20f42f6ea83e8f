"""Reports researchers read: self-contained HTML, CSV/JSON exports."""
