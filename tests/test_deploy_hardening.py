"""The image and the manifests as an auditor reads them: pinned, hashed, least privilege."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "kubernetes"


def _doc(path: Path) -> dict[str, Any]:
    (doc,) = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return doc


def _lock() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements.lock."""
    found: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[a-zA-Z])", (ROOT / "requirements.lock").read_text()):
        head = re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", block)
        if head:
            found[head.group(1).lower().replace("_", "-")] = (
                head.group(2),
                block.count("--hash=sha256:"),
            )
    return found


class TestImage:
    """The Dockerfile: base pinned by digest, hashed installs, no pip in the final image."""

    def test_base_pinned_by_digest(self) -> None:
        froms = re.findall(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
        assert len(froms) == 2
        assert all(re.fullmatch(r"[\w.:/-]+@sha256:[0-9a-f]{64}", f) for f in froms), froms

    def test_installs_from_the_hashed_lock_and_drops_pip(self) -> None:
        text = (ROOT / "Dockerfile").read_text()
        assert "--require-hashes -r requirements.lock" in text
        final = text.split("\nFROM ")[-1]
        assert "pip uninstall --yes pip setuptools wheel" in final
        assert "/opt/leadscore/bin/pip uninstall --yes pip setuptools wheel" in text
        assert 'LEADSCORE_DAEMON__METRICS_HOST="0.0.0.0"' in final

    def test_lock_has_hashes_for_every_runtime_dependency(self) -> None:
        """Every dependency in pyproject.toml is locked, at a version it allows, with hashes."""
        lock = _lock()
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        for spec in project["dependencies"]:
            req = Requirement(spec)
            name = req.name.lower().replace("_", "-")
            assert name in lock, name
            version, hashes = lock[name]
            assert req.specifier.contains(version), (name, version)
            assert hashes >= 1
        assert all(hashes >= 1 for _, hashes in lock.values())
        assert {"setuptools", "wheel"} <= set(lock)  # the build tools are hashed too

    def test_floors_above_known_advisories(self) -> None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        reqs = {Requirement(s).name: Requirement(s) for s in project["dependencies"]}
        assert not reqs["pyarrow"].specifier.contains("23.0.0")
        assert reqs["pyarrow"].specifier.contains("23.0.1")
        assert not reqs["requests"].specifier.contains("2.32.9")
        lock = _lock()
        assert Version(lock["pyarrow"][0]) >= Version("23.0.1")
        assert Version(lock["requests"][0]) >= Version("2.33")


class TestKubernetes:
    """Least privilege in the pod, and only the traffic it needs."""

    def test_security_context(self) -> None:
        pod = _doc(K8S / "deployment.yaml")["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        ctx = container["securityContext"]
        assert ctx["readOnlyRootFilesystem"] is True
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert "/data" in mounts and not mounts["/data"].get("readOnly")
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["LEADSCORE_DAEMON__METRICS_HOST"] == "0.0.0.0"

    def test_network_policy(self) -> None:
        policy = _doc(K8S / "networkpolicy.yaml")
        assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        (ingress,) = policy["spec"]["ingress"]
        (source,) = ingress["from"]
        assert source["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "monitoring"
        }
        assert [p["port"] for p in ingress["ports"]] == [9464]
        ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
        assert ports == {53, 5432, 443}
        kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
        assert "networkpolicy.yaml" in kustomization["resources"]

    def test_manifests_pass_the_schema_check(self) -> None:
        """kubernetes-validate (as make lint runs it) accepts every manifest."""
        tool = Path(sys.executable).parent / "kubernetes-validate"
        files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
        result = subprocess.run(
            [str(tool), "--strict", "--quiet", *files], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_compose_publishes_metrics_on_loopback_only() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    service = compose["services"]["leadscore"]
    assert service["ports"] == ["127.0.0.1:9464:9464"]
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
