# Rasa with our bot, NLU components, data, token launcher and trained model baked in, for
# Kubernetes (deploy/k8s/rasa.yaml; docker-compose mounts the same directories instead).
# Train first (`saathi train`), then from the repository root:
#   cp -L models/current.tar.gz models/release.tar.gz   # current.tar.gz links into ~/.cache
#   docker build -f deploy/rasa.Dockerfile -t sehat-saathi-rasa .
FROM rasa/rasa:3.6.21
WORKDIR /app
COPY bot bot
COPY nlu nlu
COPY data data
COPY rasa_ext rasa_ext
COPY models/release.tar.gz models/current.tar.gz
ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
USER 1001
