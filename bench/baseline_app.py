"""Baseline for the benchmark: a hello-world Bottle app (run under gunicorn gthread)."""

import bottle

app = bottle.Bottle()


@app.get("/")
def hello():
    return "Hello, World!"
