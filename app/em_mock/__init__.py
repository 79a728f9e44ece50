"""em-mock: an offline stand-in for the Veeam Backup Enterprise Manager REST API."""

from em_mock.factory import create_app
from em_mock.settings import Settings

__version__ = "0.1.0"

__all__ = ["Settings", "__version__", "create_app"]
