"""Flask blueprints of the gateway: thin views over :mod:`channels.messaging` and :mod:`channels.ivr`."""
