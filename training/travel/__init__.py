"""Travel: logistics forms and visa invitation letters."""
