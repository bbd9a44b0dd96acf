# Setup, demo, tests and benchmarks of the portal. `make demo` and `make test` do all setup.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
REDIS_SERVER := /usr/bin/redis-server

.PHONY: install demo test bench lint translations compile-translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,sandbox]'
	$(MAKE) --no-print-directory compile-translations
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing=" chromium"; \
	[ -x $(REDIS_SERVER) ] || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Missing Debian packages:$$missing. Install them as root:"; \
			echo "  sudo apt-get install$$missing"; \
			case "$$missing" in *redis-server*) \
				echo "Without $(REDIS_SERVER) the Redis tests (tests/test_redis.py) are skipped.";; \
			esac; \
			case "$$missing" in *chromium*) \
				echo "Chromium is missing at $(CHROMIUM): the browser tests need it."; exit 1;; \
			esac; \
		fi; \
	fi

demo: install
	$(BIN)/portal demo

# One test process per core (browser flows mostly wait, so they overlap well); each process
# has its own sandboxes, Chromium and temporary folders. Idle processes take tests from busy ones.
# pytest exits 5 when it collected no tests: that must fail loudly, never pass.
test: install
	@status=0; $(BIN)/python -m pytest -n auto --dist worksteal || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no tests: failing." >&2; fi; \
	exit $$status

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
