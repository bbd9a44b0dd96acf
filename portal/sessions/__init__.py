"""The learner's sessions on the Account page: sign out of one, or everywhere."""
