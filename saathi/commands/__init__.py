"""Sub-commands of ``saathi``; each module has ``register(subparsers)``."""


def services(settings=None):  # type: ignore[no-untyped-def]
    """A command's composition root: Settings -> one database engine -> records, pharmacy and
    notifications, as every process builds them (:class:`engine.services.ProcessServices`; a pickup
    notice a command causes goes out on the same engine); ``saathi asha`` uses the gateway's own
    (:class:`channels.services.GatewayServices`)."""
    from config.settings import load
    from engine.services import ProcessServices

    return ProcessServices(settings or load())
