# 技能提升行动管理系统: `make run` serves it, `make test` tests it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test worker beat bench setup check-deploy clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: setup
	$(PY) manage.py bootstrap_admin
	@echo "技能提升行动管理系统：http://127.0.0.1:$(PORT)/  （按 Ctrl+C 停止）"
	@echo "如需演示数据（机构、培训班、学员、季报、补贴申领），在新数据库上另开终端执行：$(PY) manage.py load_demo"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

worker: $(VENV)/.installed
	@test -n "$$REDIS_URL" || { echo "请先设置 REDIS_URL，例如 REDIS_URL=redis://127.0.0.1:6379/0"; exit 1; }
	$(VENV)/bin/celery -A qijiang_training worker --loglevel INFO

beat: $(VENV)/.installed
	@test -n "$$REDIS_URL" || { echo "请先设置 REDIS_URL，例如 REDIS_URL=redis://127.0.0.1:6379/0"; exit 1; }
	$(VENV)/bin/celery -A qijiang_training beat --loglevel INFO

bench: $(VENV)/.installed
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var/static var/screenshots
