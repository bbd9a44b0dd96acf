"""Certificates area: the learner's certificates, their PDFs, sharing, uploads and transcript."""
