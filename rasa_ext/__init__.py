"""Our code that runs inside the Rasa server (``.venv-rasa``, Python 3.10), outside the model.

``rasa_ext.run`` starts ``rasa run`` with the API token from the environment; ``rasa_ext.rest``
is the REST channel that answers only callers presenting that token. Like ``nlu/`` it imports
nothing of ours (import-linter ``rasa-ext-standalone``); unlike ``nlu/`` it is not an input of the
trained model, so changing it never retrains.
"""
