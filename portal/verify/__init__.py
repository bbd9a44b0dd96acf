"""Verification: public pages of shared certificates, the issuer's DID document, the status list."""
