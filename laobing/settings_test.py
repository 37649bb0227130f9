"""Test settings: production settings with fixed test keys, a fast hasher and plain static storage."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "test-field-key-not-for-production-0123456789abcdef")
os.environ.setdefault("AUDIT_KEY", "test-audit-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from laobing.settings import *  # noqa: F403

# Argon2 is what production uses (tested in accounts/tests); tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Tasks run at once in the test process, so an import job finishes inside the request that starts it.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Concrete models of the kit's abstract bases (a ledger), with real tables in the test database only.
INSTALLED_APPS = [*INSTALLED_APPS, "kit_tests"]  # noqa: F405

# The example process of docs/workflow.md (its subject has a table in the test database only).
INSTALLED_APPS = [*INSTALLED_APPS, "example"]

# Each test gets its own anchor file (the root conftest points it under tmp_path); this is the fallback.
AUDIT_ANCHOR_FILE = Path(tempfile.mkdtemp(prefix="laobing-audit-")) / "audit-anchors.log"
