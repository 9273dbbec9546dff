"""Infoline: a text-message information line about treatment for metastatic breast cancer."""
