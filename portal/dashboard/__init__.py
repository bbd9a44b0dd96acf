"""The learner dashboard: content groups, my content, recent content, archive and waitlist."""
