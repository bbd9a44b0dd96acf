"""Calendars: an .ics file per event, and the learner's personal calendar feed."""
