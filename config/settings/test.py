from .base import *  # noqa: F403

# Argon2 is deliberately slow; tests that exercise hashing itself use it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The API's rate limits are off: a test run makes thousands of requests from one address in a
# minute. crm/api/tests/test_rate_limits.py turns them on.
CRM_API_RATE_PER_TOKEN = 0
CRM_API_RATE_PER_ADDRESS = 0
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 (Django's test client)

# Uploaded files of the tests go to a folder of the run's own, never the data folder.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="crm-test-media-"))
import atexit  # noqa: E402
import shutil  # noqa: E402

atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# A fixed keyring (ADR 0009): never the data folder's, never generated
CRM_ENCRYPTION_KEY = (
    "index=dGVzdC1pbmRleC1zZWNyZXQtMzItYnl0ZXMtbG9uZyE;"
    "k1=dGVzdC1lbmNyeXB0aW9uLWtleS0xLTMyLWJ5dGVzISE"
)
CRM_ENCRYPTION_KEY_FILE = ""
CRM_ENCRYPTION_KEY_GENERATE = False
