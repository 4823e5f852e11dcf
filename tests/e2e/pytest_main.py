"""Runs pytest with the interpreter on PATH (pyenv's, which has boto3) while taking
pytest itself from Debian's python3-pytest.

/usr/lib/python3/dist-packages is APPENDED to sys.path, never prepended, so the
interpreter's own boto3, urllib3 and six keep precedence over Debian's copies.
(`PYTHONPATH=/usr/lib/python3/dist-packages python3 -m pytest` would prepend it.)

Usage: python3 tests/e2e/pytest_main.py [pytest args...]
"""
import os
import sys

DEBIAN_DIST = "/usr/lib/python3/dist-packages"
if os.path.isdir(DEBIAN_DIST) and DEBIAN_DIST not in sys.path:
    sys.path.append(DEBIAN_DIST)

try:
    import pytest
except ImportError:
    sys.stderr.write("pytest not found: install Debian's python3-pytest "
                     "(scripts/install-deps.sh does) or pip's pytest\n")
    sys.exit(2)

if __name__ == "__main__":
    sys.exit(pytest.main(sys.argv[1:]))
