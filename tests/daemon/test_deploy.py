"""The deployment files: every setting documented, manifests consistent with the code."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from service.scoring.rules import parse_rules
from service.settings import Settings
from tests.daemon.processes import Proc, base_env, pg_schema

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


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as Docker reads an env file (comments and blanks skipped)."""
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value
    return out


def _outside_docker(env: dict[str, str], mounts: dict[str, Path], state_url: str) -> dict[str, str]:
    """The container's environment with its paths mapped to the host folders mounted there, and
    the state database pointed at the test server."""
    out = {}
    for key, value in env.items():
        for inside in sorted(mounts, key=len, reverse=True):
            if value == inside or value.startswith(inside + "/") or "//" + inside in value:
                value = value.replace(inside, str(mounts[inside]), 1)
                break
        out[key] = value
    out["LEADSCORE_STATE_URL"] = state_url
    return out


def _run_as_shipped(args: list[str], env: dict[str, str], tmp_path: Path) -> None:
    """The daemon starts, stays up through its first pass, answers /livez, and stops on SIGTERM."""
    # the metrics and dashboard ports are published by Docker; outside it, 0 keeps parallel
    # test runs apart (the two tests here ran side by side on 8080 and one failed)
    env = {**env, "LEADSCORE_DAEMON__METRICS_PORT": "0", "LEADSCORE_DASHBOARD__PORT": "0"}
    proc = Proc(args, base_env(**env), tmp_path / "daemon.log", tmp_path)
    try:
        proc.wait_for(lambda e: e.get("event") == "daemon_started", timeout=90)
        proc.wait_for(lambda e: e.get("job") == "score_cycle", timeout=90)
        time.sleep(1)
        assert proc.popen.poll() is None, proc.log.read_text()
    finally:
        code = proc.stop(timeout=20)
    events = proc.events()
    assert code == 0, proc.log.read_text()
    assert [e for e in events if "raw" in e] == []  # every line is a JSON log line
    assert any(e.get("event") == "slack_alerts_off" for e in events)
    assert events[-1]["event"] == "daemon_stopped"


def test_compose_starts_as_shipped_outside_docker(tmp_path: Path) -> None:
    """The compose service's command line and environment (its env files, its variables, its
    volumes mapped to host folders) run ``daemon run``: the rules path exists, the Slack token is
    blank (Slack off, not an error), the first pass runs (and fails on the example's missing CRM
    credentials without stopping the daemon), and SIGTERM stops it cleanly."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    app = compose["services"]["leadscore"]
    assert "postgres" in compose["services"] and "127.0.0.1:9464:9464" in app["ports"]
    env: dict[str, str] = {}
    for entry in app["env_file"]:
        path, required = (
            (entry, True)
            if isinstance(entry, str)
            else (entry["path"], entry.get("required", True))
        )
        if (DEPLOY / path).exists():
            env.update(_env_file(DEPLOY / path))
        else:
            assert not required, f"{path} is required but not shipped"
    env.update({k: str(v) for k, v in app["environment"].items()})
    assert env["LEADSCORE_STATE_URL"].startswith("postgresql+psycopg://")
    mounts = {"/data": tmp_path}
    for volume in app["volumes"]:
        source, target = volume.split(":")[:2]
        mounts[target] = (
            (DEPLOY / source).resolve() if source.startswith(".") else tmp_path / source
        )
    assert Path(_outside_docker(env, mounts, "")["LEADSCORE_RULES_PATH"]).is_file()
    with pg_schema() as url:
        _run_as_shipped(app["command"], _outside_docker(env, mounts, url), tmp_path)


def test_image_default_command_works_with_the_example_env(tmp_path: Path) -> None:
    """The Dockerfile's ENV, its default command and the example env file: the rules it points at
    are in the image (``COPY rules /rules``), and the daemon starts and stops cleanly."""
    docker = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", docker, re.M)
    assert cmd is not None
    args = json.loads(cmd.group(1))
    env = dict(re.findall(r'(LEADSCORE_[A-Z_]+)="([^"]*)"', docker))
    env.update(_env_file(DEPLOY / "leadscore.env.example"))
    assert "COPY rules /rules" in docker
    mounts = {"/rules": ROOT / "rules", "/data": tmp_path}
    assert Path(_outside_docker(env, mounts, "")["LEADSCORE_RULES_PATH"]).is_file()
    _run_as_shipped(
        args, _outside_docker(env, mounts, f"sqlite:///{tmp_path / 'state.db'}"), tmp_path
    )
