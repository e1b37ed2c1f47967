"""Flask blueprints of the gateway: thin views over :mod:`channels.messaging` (the call's are :mod:`channels.types.voice.views`)."""
