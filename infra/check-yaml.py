#!/usr/bin/env python3
"""Parses every YAML file under infra/ (docker-compose and the Kubernetes examples) and checks the
structure the rest of the project relies on. Exit 0 when all pass, 1 on a failure, 3 when PyYAML is
missing (callers treat that as "skipped")."""
import pathlib
import sys

try:
    import yaml
except ImportError:
    print("PyYAML missing (apt-get install python3-yaml)", file=sys.stderr)
    sys.exit(3)

infra = pathlib.Path(__file__).resolve().parent
failures = []


def check(ok, what):
    print(("  ok   " if ok else "  FAIL ") + what)
    if not ok:
        failures.append(what)


files = sorted(list(infra.glob("*.yml")) + list(infra.glob("*.yaml")) + list(infra.glob("k8s/*.yaml")))
docs = {}
for f in files:
    try:
        docs[f.name] = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
        check(True, f"{f.relative_to(infra)} parses ({len(docs[f.name])} document(s))")
    except yaml.YAMLError as e:
        check(False, f"{f.relative_to(infra)}: {e}")

compose = docs.get("docker-compose.yml", [{}])[0]
services = compose.get("services", {})
check(
    {"kafka", "cassandra", "ingest", "segmenter", "catalog", "edge"} <= set(services),
    "compose has kafka, cassandra and the four services",
)
required = {
    "ingest": {"KAFKA_BOOTSTRAP_SERVERS", "STREAM_KEY_SECRET"},
    "segmenter": {"KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINTS"},
    "catalog": {"KAFKA_BOOTSTRAP_SERVERS", "CASSANDRA_CONTACT_POINTS"},
    "edge": {"KAFKA_BOOTSTRAP_SERVERS", "CATALOG_URL", "S3_ENDPOINTS"},
}
for svc, names in required.items():
    s = services.get(svc, {})
    env = set((s.get("environment") or {}).keys())
    check(names <= env, f"compose {svc} sets {sorted(names)}")
    check(str(s.get("image", "")).endswith(f"{svc}:${{HLS_IMAGE_TAG:-dev}}"), f"compose {svc} runs the {svc} image")
# Every container: read-only root filesystem, a writable /tmp, and a memory limit.
for name, s in services.items():
    check(
        s.get("read_only") is True and any(str(t).startswith("/tmp") for t in s.get("tmpfs") or []) and s.get("mem_limit"),
        f"compose {name} read-only with tmpfs /tmp and mem_limit",
    )
# Admin ports (probes, /metrics) never published beyond the host's loopback; segmenter's not at all.
for svc in ("ingest", "catalog", "edge"):
    s = services.get(svc, {})
    admin = str((s.get("environment") or {}).get("ADMIN_PORT", ""))
    published = [str(p) for p in s.get("ports") or []]
    admin_published = [p for p in published if p.rsplit(":", 1)[-1] == admin]
    check(
        admin != "" and all(p.startswith("127.0.0.1:") for p in admin_published),
        f"compose {svc} ADMIN_PORT {admin or '(unset)'} published on 127.0.0.1 only",
    )
check(not services.get("segmenter", {}).get("ports"), "compose segmenter publishes no port")
for svc in ("segmenter", "edge"):
    spec = services.get(svc, {}).get("environment", {}).get("S3_ENDPOINTS", "")
    parts = [p for p in spec.split(";") if p]
    check(
        len(parts) >= 2 and all(p.startswith("id=") and ",url=" in p and ",bucket=" in p for p in parts),
        f"compose {svc} S3_ENDPOINTS in the spec format with two servers",
    )

kinds = {d.get("kind") for name in docs if name != "docker-compose.yml" for d in docs[name]}
for kind in ("Kafka", "KafkaNodePool", "KafkaTopic", "K8ssandraCluster", "CephObjectStore", "ObjectBucketClaim"):
    check(kind in kinds, f"k8s examples define a {kind}")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("all infra YAML checks passed")
