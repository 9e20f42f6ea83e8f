.PHONY: setup demo test unit integration bench lint

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/udiplo run

test:
	bash scripts/test.sh

unit: setup
	.venv/bin/python -m pytest tests/unit -q

integration: setup
	.venv/bin/python -m pytest tests/integration -q

bench: setup
	for b in benchmarks/*.py; do .venv/bin/python $$b || exit 1; done

lint: setup
	.venv/bin/ruff check pipeline corpus flows udiplo tests benchmarks
