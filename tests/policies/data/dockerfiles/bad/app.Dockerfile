FROM ghcr.io/zeroworld/mirror/python:latest AS base
FROM base
COPY app.py /app.py
CMD ["python", "/app.py"]
