"""Content pages: one course, event or learning path with its progress, awards and next step."""
