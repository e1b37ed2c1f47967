# Image for the Python 3.11 services (actions, gateway, portal, worker). Rasa itself runs from
# the official rasa/rasa:3.6.21 image (see docker-compose.yml).
FROM python:3.11-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-hin tesseract-ocr-pan fonts-lohit-deva \
      fonts-lohit-guru fonts-dejavu-core espeak-ng sox libsox-fmt-mp3 lame ffmpeg poppler-utils \
      libpq-dev gcc \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY saathi saathi
COPY nlu nlu
COPY engine engine
COPY actions actions
COPY channels channels
COPY records records
COPY portal portal
COPY data data
RUN pip install --no-cache-dir .
# var/ is a volume (docker-compose.yml): created here so that the volume starts owned by the user
# the services run as
RUN mkdir -p /app/var && chown nobody /app/var
USER nobody
