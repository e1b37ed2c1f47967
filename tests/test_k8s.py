"""The Kubernetes base (issue #21 item 4), checked offline: every manifest ``deploy/kustomization.yaml``
lists validates against Kubernetes' own OpenAPI schemas (``kubernetes-validate``, strict: unknown
fields are errors), and the wiring the issue asks for is there: probes on /health and /ready,
resource requests, autoscalers for Rasa, actions and the gateway, disruption budgets, secrets from
a Secret, network policies letting only Rasa reach the action server and only the gateway, portal
and CLI reach Rasa, Rasa replicas on the SQL tracker store and the Redis lock store.

No kubectl or cluster here: the documents are the ones kustomize emits for this base (namespace
set, images renamed, the endpoints ConfigMap generated), without the hash suffix it gives
generated names.
"""

from __future__ import annotations

import re

import pytest
import yaml

from config.paths import ROOT
from config.settings import SECRETS

kubernetes_validate = pytest.importorskip("kubernetes_validate")

DEPLOY = ROOT / "deploy"
VERSION = "1.30.0"


def kustomization() -> dict:
    return yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())


def rendered() -> list[dict]:
    base = kustomization()
    docs = [doc for path in base["resources"] for doc in yaml.safe_load_all((DEPLOY / path).read_text()) if doc]
    for generator in base["configMapGenerator"]:
        data = {}
        for entry in generator["files"]:
            key, _, path = entry.partition("=")
            data[key] = (DEPLOY / path).read_text()
        docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data})
    images = {image["name"]: f"{image['newName']}:{image['newTag']}" for image in base["images"]}
    for doc in docs:
        if doc["kind"] != "Namespace":
            doc["metadata"]["namespace"] = base["namespace"]
        for container in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            assert container["image"] in images, container["image"]
            container["image"] = images[container["image"]]
    return docs


def of_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def test_every_manifest_validates_against_the_kubernetes_schemas():
    docs = rendered()
    assert len(docs) > 20
    for doc in docs:
        kubernetes_validate.validate(doc, VERSION, strict=True)  # raises ValidationError with the path
    example = yaml.safe_load((DEPLOY / "k8s" / "secrets.example.yaml").read_text())
    kubernetes_validate.validate(example, VERSION, strict=True)


def test_probes_requests_autoscalers_and_budgets():
    docs = rendered()
    deployments = of_kind(docs, "Deployment")
    assert set(deployments) == {"rasa", "actions", "gateway", "portal", "media-worker", "portal-worker"}
    services = of_kind(docs, "Service")
    budgets = {tuple(sorted(d["spec"]["selector"]["matchLabels"].items())) for d in of_kind(docs, "PodDisruptionBudget").values()}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        labels = pod["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"] == labels
        assert tuple(sorted(labels.items())) in budgets, f"{name} has no PodDisruptionBudget"
        assert deployment["spec"]["replicas"] >= 2, name
        for container in pod["spec"]["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "livenessProbe" in container, name
            if name in ("actions", "gateway", "portal"):
                assert container["livenessProbe"]["httpGet"]["path"] == "/health"
                assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
            if name != "rasa":
                refs = {ref.get("secretRef", {}).get("name") for ref in container["envFrom"]}
                assert "saathi-secrets" in refs, name
        if name in services:
            port_names = {p["name"] for c in pod["spec"]["containers"] for p in c["ports"]}
            assert services[name]["spec"]["selector"] == labels
            assert {p["targetPort"] for p in services[name]["spec"]["ports"]} <= port_names
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(docs, "HorizontalPodAutoscaler").values()}
    assert {"rasa", "actions", "gateway"} <= scaled <= set(deployments)
    # the ingress routes only to the gateway and the portal
    ingress = of_kind(docs, "Ingress")["saathi"]
    backends = {path["backend"]["service"]["name"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert backends == {"gateway", "portal"}


def _sources(policy: dict) -> list[dict]:
    return [source for rule in policy["spec"]["ingress"] for source in rule["from"]]


def _selects(policy: dict, app: str) -> bool:
    selector = policy["spec"]["podSelector"]
    if not selector:
        return True
    if selector.get("matchLabels"):
        return selector["matchLabels"].get("app") == app
    return any(e["key"] == "app" and e["operator"] == "In" and app in e["values"] for e in selector["matchExpressions"])


def test_network_policies_let_only_rasa_reach_the_actions_and_only_gateway_portal_cli_reach_rasa():
    policies = of_kind(rendered(), "NetworkPolicy")
    deny = policies["default-deny-ingress"]
    assert deny["spec"]["podSelector"] == {} and "ingress" not in deny["spec"]

    def pods_allowed(app: str) -> set[str]:
        allowed = set()
        for policy in policies.values():
            if policy is deny or not _selects(policy, app):
                continue
            for source in _sources(policy):
                if "namespaceSelector" in source:
                    allowed.add("namespace:" + source["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
                elif source["podSelector"].get("matchLabels"):
                    allowed.add(source["podSelector"]["matchLabels"]["app"])
                else:
                    allowed |= {v for e in source["podSelector"]["matchExpressions"] for v in e["values"]}
        return allowed

    assert pods_allowed("actions") == {"rasa", "namespace:monitoring"}  # Prometheus: /metrics; the rest needs the token
    assert pods_allowed("rasa") == {"gateway", "portal", "saathi-cli"}
    assert pods_allowed("gateway") == pods_allowed("portal") == {"namespace:ingress-nginx", "namespace:monitoring"}
    assert pods_allowed("media-worker") == {"namespace:monitoring"}


def test_rasa_replicas_share_the_sql_tracker_and_redis_lock_and_secrets_come_from_the_secret():
    docs = rendered()
    endpoints = yaml.safe_load(of_kind(docs, "ConfigMap")["rasa-endpoints"]["data"]["endpoints.yml"])
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["tracker_store"]["type"] == "bot.tracker_store.ErasingSQLTrackerStore"
    actions = of_kind(docs, "Service")["actions"]["spec"]["ports"][0]["port"]
    assert endpoints["action_endpoint"]["url"] == f"http://actions:{actions}/webhook"
    rasa = of_kind(docs, "Deployment")["rasa"]["spec"]["template"]["spec"]
    assert rasa["containers"][0]["command"] == ["python", "-m", "rasa_ext.run"]  # the token from the environment
    assert "--auth-token" not in " ".join(rasa["containers"][0]["args"])
    example = yaml.safe_load((DEPLOY / "k8s" / "secrets.example.yaml").read_text())["stringData"]
    required = {variable for variable, _ in SECRETS.values()} | {"SAATHI_MASTER_KEYS", "SAATHI_LOOKUP_KEY",
                                                                 "DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL"}
    referenced = set(re.findall(r"\$\{([A-Z_]+)\}", (DEPLOY / "k8s" / "rasa-endpoints.yml").read_text()))
    assert required | referenced <= set(example)
    assert "k8s/secrets.example.yaml" not in kustomization()["resources"]  # real secrets never live in the repo
    env = of_kind(docs, "ConfigMap")["saathi-env"]["data"]
    assert env["SAATHI_KEY_PROVIDER"] == "env" and env["RASA_URL"] == "http://rasa:5005"
