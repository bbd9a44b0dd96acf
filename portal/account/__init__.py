"""The learner's account: profile, credits, licenses, languages and redemption codes."""
