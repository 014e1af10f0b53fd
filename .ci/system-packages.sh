#!/usr/bin/env bash
# The distribution's packages that `make images` and the real test node need: an image
# builder (buildah; podman works too), mmdebstrap (a local Debian base when no registry can
# be reached), and for the node runc, the CNI plugins, iptables (kube-proxy, CNI) and
# conntrack. Installs the missing ones with apt-get when run as root; otherwise says what to
# install. Everything else the node needs is built by tests/testbin/build.sh.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 || -x /sbin/$1 ]]; }
have buildah || have podman || missing+=(buildah)
have mmdebstrap || missing+=(mmdebstrap)
have runc || missing+=(runc)
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
  missing+=(containernetworking-plugins)
have iptables || missing+=(iptables)
have conntrack || missing+=(conntrack)
(( ${#missing[@]} )) || exit 0

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "system-packages: installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system-packages: missing ${missing[*]}: run 'sudo apt-get install ${missing[*]}'" >&2
  exit 1
fi
