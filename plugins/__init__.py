"""ganzoo's built-in plugins, installed as ``ganzoo_plugins`` and registered through entry points."""
