"""The deployment files: every setting documented, manifests consistent with the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from service.scoring.rules import parse_rules
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _env_names(model: type[BaseModel], prefix: str = "LEADSCORE_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names += _env_names(kind, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_env_example_lists_every_setting_without_secrets() -> None:
    """Each LEADSCORE_* variable the settings read appears in the env example; secrets are blank."""
    text = (DEPLOY / "leadscore.env.example").read_text()
    names = _env_names(Settings)
    assert len(names) > 40
    missing = [n for n in names if f"{n}=" not in text]
    assert missing == []
    for line in text.splitlines():
        key, _, value = line.lstrip("# ").partition("=")
        if any(s in key for s in ("TOKEN", "PASSWORD", "SECRET", "SESSION_ID")):
            assert value == "", line


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_kubernetes_manifests_fit_together() -> None:
    """Probes hit /livez and /readyz on the metrics port the Service exposes; the rules ConfigMap
    is a valid rules file mounted where LEADSCORE_RULES_PATH points; secrets come from a Secret."""
    k8s = DEPLOY / "kubernetes"
    (deployment,) = _docs(k8s / "deployment.yaml")
    (service,) = _docs(k8s / "service.yaml")
    (configmap,) = _docs(k8s / "configmap-rules.yaml")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["daemon", "run"] and deployment["spec"]["replicas"] == 1
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {e["name"]: e.get("value") for e in container["env"]}
    port = int(env["LEADSCORE_DAEMON__METRICS_PORT"])
    assert container["ports"][0]["containerPort"] == port == service["spec"]["ports"][0]["port"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "rules")
    assert env["LEADSCORE_RULES_PATH"] == f"{mount['mountPath']}/live.yaml"
    rules = parse_rules(yaml.safe_load(configmap["data"]["live.yaml"]), "configmap")
    assert rules.signals
    assert container["envFrom"] == [{"secretRef": {"name": "leadscore-secrets"}}]
    kustom = yaml.safe_load((k8s / "kustomization.yaml").read_text())
    assert all((k8s / r).exists() for r in kustom["resources"])


def test_compose_runs_the_daemon_beside_postgres() -> None:
    """The compose file runs ``daemon run`` with PostgreSQL state and the example env file."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    app = compose["services"]["leadscore"]
    assert app["command"] == ["daemon", "run"] and app["env_file"] == "leadscore.env"
    assert app["environment"]["LEADSCORE_STATE_URL"].startswith("postgresql+psycopg://")
    assert "postgres" in compose["services"] and "127.0.0.1:9464:9464" in app["ports"]
    assert 'CMD ["daemon", "run"]' in (ROOT / "Dockerfile").read_text()
