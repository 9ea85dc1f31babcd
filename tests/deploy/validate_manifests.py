#!/usr/bin/env python3
"""deploy/kubernetes against the Kubernetes API schemas (kubernetes-validate, strict: an unknown
field is an error) and against rerankd itself.

    validate_manifests.py --rerankd PATH --repo DIR --model MODEL_DIR

Renders each overlay as kustomize would for what these files use (resources, an image rename,
strategic-merge patches of the Deployment's containers by name), validates every built-in kind
at Kubernetes 1.37, checks the CRD objects' required fields by hand (ServiceMonitor), and checks
that the probes, port and arguments are ones rerankd serve accepts (`rerankd serve --print-config`
with the container's arguments must succeed) and that the HPA's metric is one a running server
exports.
"""

import argparse
import copy
import os
import subprocess
import sys
import unittest
import urllib.request

import kubernetes_validate
import yaml

ARGS = None
K8S_VERSION = "1.37.0"
CRD_KINDS = {"ServiceMonitor"}


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def merge_container_lists(base, patch):
    by_name = {c["name"]: c for c in base}
    for container in patch:
        if container["name"] in by_name:
            merge(by_name[container["name"]], container)
        else:
            base.append(container)
    return base


def merge(base, patch):
    for key, value in patch.items():
        if key == "containers" and isinstance(value, list):
            merge_container_lists(base.setdefault(key, []), value)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def render(directory):
    """The objects `kubectl kustomize directory` would print, for the features used here."""
    spec = load(os.path.join(directory, "kustomization.yaml"))[0]
    objects = []
    for resource in spec.get("resources", []):
        path = os.path.normpath(os.path.join(directory, resource))
        objects += render(path) if os.path.isdir(path) else load(path)
    for patch in spec.get("patches", []):
        for change in load(os.path.join(directory, patch["path"])):
            targets = [o for o in objects if o["kind"] == change["kind"]
                       and o["metadata"]["name"] == change["metadata"]["name"]]
            assert targets, f"patch {patch['path']} matches nothing"
            for target in targets:
                merge(target, change)
    for image in spec.get("images", []):
        for o in objects:
            for c in o.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                if c["image"].split(":")[0] == image["name"]:
                    c["image"] = f"{image.get('newName', image['name'])}:{image.get('newTag', 'latest')}"
    for pair in spec.get("labels", []):
        for o in objects:
            o["metadata"].setdefault("labels", {}).update(pair["pairs"])
    return objects


class Manifests(unittest.TestCase):
    def overlay(self, name):
        return render(os.path.join(ARGS.repo, "deploy", "kubernetes", "overlays", name))

    def deployment(self, objects):
        return next(o for o in objects if o["kind"] == "Deployment")

    def test_every_object_matches_the_kubernetes_schema(self):
        for overlay in ("cpu", "gpu"):
            objects = self.overlay(overlay)
            kinds = sorted(o["kind"] for o in objects)
            self.assertEqual(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                                     "PodDisruptionBudget", "Service", "ServiceMonitor"])
            for o in objects:
                if o["kind"] in CRD_KINDS:
                    continue
                with self.subTest(overlay=overlay, kind=o["kind"]):
                    kubernetes_validate.validate(o, K8S_VERSION, strict=True)

    def test_a_broken_manifest_is_caught(self):
        deployment = self.deployment(self.overlay("cpu"))
        deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["prot"] = 1
        with self.assertRaises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)

    def test_service_monitor_scrapes_the_metrics_route(self):
        monitor = next(o for o in self.overlay("cpu") if o["kind"] == "ServiceMonitor")
        self.assertEqual(monitor["apiVersion"], "monitoring.coreos.com/v1")
        endpoint = monitor["spec"]["endpoints"][0]
        self.assertEqual((endpoint["port"], endpoint["path"]), ("http", "/metrics"))

    def test_probes_and_grace_fit_the_server(self):
        pod = self.deployment(self.overlay("cpu"))["spec"]["template"]["spec"]
        container = pod["containers"][0]
        self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/ready")
        self.assertEqual(container["startupProbe"]["httpGet"]["path"], "/ready")
        self.assertEqual(container["livenessProbe"]["httpGet"]["path"], "/health")
        self.assertEqual(container["ports"][0]["containerPort"], 8080)
        # The grace period covers preStop and the server's drain, as the container's own
        # environment and arguments configure it (server.shutdown_delay_ms, drain_timeout_ms).
        server = self.container_config(container)["server"]
        self.assertGreaterEqual(pod["terminationGracePeriodSeconds"],
                                container["lifecycle"]["preStop"]["sleep"]["seconds"]
                                + (server["shutdown_delay_ms"] + server["drain_timeout_ms"]) / 1000)

    def container_config(self, container):
        """The config `rerankd serve` would run with in this container (--print-config)."""
        entrypoint = ["serve", "--config", os.path.join(ARGS.repo, "configs", "default.yaml"),
                      "--server.host", "0.0.0.0"]
        env = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
        result = subprocess.run([ARGS.rerankd, *entrypoint, *container.get("args", []),
                                 "--print-config"],
                                env=dict(os.environ, **env), capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        return yaml.safe_load(result.stdout)

    def test_gpu_overlay_asks_for_a_gpu_and_its_arguments_parse(self):
        container = self.deployment(self.overlay("gpu"))["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["resources"]["limits"]["nvidia.com/gpu"], 1)
        self.assertEqual(container["image"], "rerankd-cuda:latest")
        self.assertIn("/ready", container["readinessProbe"]["httpGet"]["path"])  # the base's, kept
        env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
        config = self.container_config(container)
        self.assertEqual(config["model"]["backend"], "cuda")
        self.assertEqual(config["model"]["path"], env["MODEL_ID"])
        self.assertEqual(config["server"]["port"], 8080)

    def test_hpa_scales_on_a_metric_rerankd_exports(self):
        objects = self.overlay("cpu")
        hpa = next(o for o in objects if o["kind"] == "HorizontalPodAutoscaler")
        metric = hpa["spec"]["metrics"][0]["pods"]["metric"]["name"]
        rules = next(o for o in objects if o["kind"] == "ConfigMap")["data"]["rules.yaml"]
        self.assertIn(metric, rules)
        # ... and which a running server exports on /metrics.
        proc = subprocess.Popen([ARGS.rerankd, "serve", "--model", ARGS.model, "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline()
            self.assertIn("listening on http://", line)
            url = line.strip().split("listening on ")[1]
            exported = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        self.assertRegex(exported, rf"(?m)^{metric}(\{{[^}}]*\}})? \d")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--rerankd", required=True)
    parser.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser.add_argument("--model", required=True, help="a model directory to serve")
    ARGS = parser.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Manifests)
    return 0 if unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite).wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
