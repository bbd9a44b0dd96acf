"""Pages every learner shares: home shell, terms, brand stylesheet, language choice."""
