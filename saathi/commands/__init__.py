"""Sub-commands of ``saathi``; each module has ``register(subparsers)``."""
