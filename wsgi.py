"""The WSGI entry point for gunicorn: `gunicorn -w 4 'wsgi:app'` (production settings)."""

import os

from training import create_app

# Workers serve requests; `flask --app training db upgrade` migrates, before they start.
app = create_app(os.environ.get("TRAINING_CONFIG", "production"), migrations=False)
