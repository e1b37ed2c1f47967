"""Custom actions for the Rasa assistant (rasa-sdk, Python 3.11).

Actions stay thin: they read the tracker, call an engine (``engine/``, ``nlu/``) and render
sentences from the message catalogue (``engine.i18n``) in the user's language. Run with
``python -m actions.server --actions actions`` (``saathi up`` does it): rasa-sdk's server that
answers only calls carrying the actions token (actions/server.py).
"""
