"""The production smoke test: real processes (two uvicorn nodes, a Celery worker and beat) on
PostgreSQL and Redis. Run by ``make test`` (scripts/test-all.sh, the smoke pass)."""
