"""Login and logout of learners against the instance, with a server-side session."""
