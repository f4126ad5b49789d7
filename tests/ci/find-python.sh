#!/usr/bin/env bash
# Print a working interpreter for Python X.Y: a pyenv install first (its shims fail for non-global versions),
# then whatever pythonX.Y on PATH actually runs.
v="$1"
for p in $(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -V -r) \
         "$(command -v "python$v" 2>/dev/null)" "/usr/bin/python$v" "/usr/local/bin/python$v"; do
  if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import venv' >/dev/null 2>&1; then echo "$p"; exit 0; fi
done
exit 1
