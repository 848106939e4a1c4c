"""A bare Flask "hello" app: the ceiling every page is compared with, in the same run."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Answer with a fixed greeting."""
    return "Hello, World!"
