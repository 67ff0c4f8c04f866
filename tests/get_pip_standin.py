"""Stand-in for the get-pip.py that ansible-test downloads, whose host is not reachable here.

ansible-test runs it in each fresh sanity venv with the pip requirement as arguments;
ensurepip (stdlib) bootstraps pip, which then installs the exact version asked for from PyPI.
"""

import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
cert = "/etc/ssl/certs/ca-certificates.crt"
cert_args = ["--cert", cert] if os.path.exists(cert) else []
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + cert_args + args)
