"""The yardstick: a bare Flask app that returns a short string, served exactly like the product."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
