"""Bookmarks: the learner's folders and bookmarked items; bookmark any item from its card."""
