# Setup, demo, tests and benchmarks of the portal. `make demo` and `make test` do all setup.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
REDIS_SERVER := /usr/bin/redis-server
NGINX := /usr/sbin/nginx
# Debian's promtool (package prometheus) checks the shipped alerts, dashboard and metrics; only
# the binary is taken from the package, so that no Prometheus server is installed or started.
PROMTOOL := $(BIN)/promtool

.PHONY: install demo test bench lint translations compile-translations deploy-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,sandbox]'
	$(MAKE) --no-print-directory compile-translations
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing=" chromium"; \
	[ -x $(REDIS_SERVER) ] || missing="$$missing redis-server"; \
	[ -x $(NGINX) ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Missing Debian packages:$$missing. Install them as root:"; \
			echo "  sudo apt-get install$$missing"; \
			case "$$missing" in *redis-server*) \
				echo "Without $(REDIS_SERVER) the Redis tests (tests/test_redis.py) are skipped.";; \
			esac; \
			case "$$missing" in *nginx*) \
				echo "Without $(NGINX) the proxy tests (tests/test_nginx.py) fail.";; \
			esac; \
			case "$$missing" in *chromium*) \
				echo "Chromium is missing at $(CHROMIUM): the browser tests need it."; exit 1;; \
			esac; \
		fi; \
	fi
	@$(MAKE) --no-print-directory $(PROMTOOL)

$(PROMTOOL):
	@work="$$(mktemp -d)"; \
	( cd "$$work" && apt-get download prometheus >/dev/null 2>&1 ) \
		|| { apt-get update -qq >/dev/null 2>&1 && ( cd "$$work" && apt-get download prometheus >/dev/null ); }; \
	dpkg-deb --fsys-tarfile "$$work"/prometheus_*.deb | tar -x -O ./usr/bin/promtool > $(PROMTOOL).part \
		&& chmod +x $(PROMTOOL).part && mv $(PROMTOOL).part $(PROMTOOL); \
	status=$$?; rm -rf "$$work" $(PROMTOOL).part; exit $$status

demo: install
	$(BIN)/portal demo

# One test process per core (browser flows mostly wait, so they overlap well); each process
# has its own sandboxes, Chromium and temporary folders. Idle processes take tests from busy ones.
# pytest exits 5 when it collected no tests: that must fail loudly, never pass.
test: install
	@status=0; $(BIN)/python -m pytest -n auto --dist worksteal || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no tests: failing." >&2; fi; \
	exit $$status

# The container image (built on a Debian base made here with mmdebstrap: no image registry is
# reached) and the Kubernetes manifests under podman kube play: minutes, so not in `make test`.
deploy-test: install
	@missing=""; \
	for tool in podman runc mmdebstrap; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "Missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
	PORTAL_DEPLOY_TESTS=1 $(BIN)/python -m pytest -p no:xdist -v --timeout 1800 tests/deploy

bench: install
	@for script in tests/benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; \
		$(BIN)/python "$$script" || exit 1; \
	done

lint: install
	$(BIN)/ruff check .

# Collect the strings of templates and code into the catalogs (then translate the .po files).
translations: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k label:2 --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete --no-fuzzy-matching -i portal/translations/messages.pot -d portal/translations

compile-translations: $(BIN)/python
	$(BIN)/pybabel compile --statistics -d portal/translations
