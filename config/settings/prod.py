"""Production: identical to base; everything that differs comes from environment variables."""

from .base import *  # noqa: F403
