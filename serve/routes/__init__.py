"""The service's routers, one module per group of endpoints.

A group that needs a model (classify, audit) is one module: its router's lifespan loads the model once
(unless one was given to `create_app`), scores through an `InferenceQueue` and registers the model in
`app.state.models` under its name, which puts its card in /version and its name in /health. Adding a group means
adding its router to `create_app` and its settings (e.g. its model directory) to `serve/settings.py`.
"""
