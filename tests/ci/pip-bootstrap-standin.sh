#!/usr/bin/env bash
# ansible-test bootstraps pip in its venvs from ci-files.testing.ansible.com, which is unreachable here.
# Drop in a stand-in that uses ensurepip and then pip from PyPI (keeping pip's own config: the proxy CA).
set -eu
CACHE="${1:-$HOME/.ansible/test/cache}"
mkdir -p "$CACHE"
for v in 24_2 25_2 25_3; do
  cat > "$CACHE/get_pip_$v.py" <<'PYEOF'
import ensurepip, os, subprocess, sys
env = os.environ.copy()   # ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
ensurepip.bootstrap(upgrade=True)
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=env))
PYEOF
done
