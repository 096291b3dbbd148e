# drillbot: slim, non-root, data on a volume; `drillbot run` applies migrations before connecting.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/drillbot.db

RUN useradd --create-home --uid 10001 drillbot \
    && mkdir -p /data && chown drillbot:drillbot /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY migrations ./migrations
COPY questions ./questions
COPY alembic.ini ./
RUN pip install -e . && chown -R root:root /app

USER drillbot
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["drillbot", "run"]
