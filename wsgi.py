"""The WSGI entry point for gunicorn: `gunicorn -w 4 'wsgi:app'` (production settings)."""

import os

from training import create_app

app = create_app(os.environ.get("TRAINING_CONFIG", "production"))
