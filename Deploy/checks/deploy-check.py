#!/usr/bin/env python3
"""Static checks of the deployment files (fast, before anything runs; Deploy/compose/compose-drill.sh
runs docker-compose.yml for real, and no cluster is reachable here for the k8s manifests).

    Deploy/checks/deploy-check.py --catalogue <(omsctl topics list) --compose-schema compose_spec.json

Checks, each printed with its result:
  1. docker-compose.yml, after variable interpolation with .env.example, validates against the
     Compose specification's JSON schema; every ${VAR} it uses is listed in .env.example; every
     file it mounts exists; the local run's override (Deploy/compose/docker-compose.local.yml) only
     swaps images, the broker's health check and Grafana's profile.
  2. Services vs code: every executable the code builds (Package.swift) runs in compose and in a k8s
     Deployment, and every OMS compose service / Deployment runs an executable the code builds;
     the Dockerfile builds and ships each of them.
  3. Environment vs code: every OMS_* variable a service's code reads (its Services/<X>/Sources plus
     the shared platform) is set for that service in compose and in its k8s Deployment; nothing sets
     an OMS_* variable no code reads (typos).
  4. Grafana: the dashboard JSON parses, uses the provisioned datasource, and every metric it queries
     is one the services' code exports. Prometheus scrapes every OMS compose service.
  5. Every YAML file under Deploy/ parses; the k8s manifests are current with the catalogue
     (Deploy/k8s/render.py --check), and KEDA/KafkaTopic figures match its partition counts.
Needs PyYAML and jsonschema (the local stack's venv has them after Deploy/local/test.sh).
"""
import argparse, glob, json, os, re, subprocess, sys

import jsonschema
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Read by code but deliberately not set by deployments, with the reason.
NOT_DEPLOYED = {
    "OMS_INSTANCE_ID": "defaults to the host name: the container id in compose, set from the pod name in k8s",
    "OMS_STACK_DIR": "local stack scripts only",
    "OMS_FAULT_CRASH_AT": "the fault drill's injected crashes; never set in a deployment",
    "OMS_DEVELOPMENT_MODE": "the local stack and tests only: lets secrets stay unset; never set in a deployment",
    "OMS_DATABASE_SCHEMA": "defaults to the service's own schema; set only to rebuild insights into a new one (README)",
}
PASS_THROUGH_PREFIX = "OMS_KAFKA_PROPERTY_"   # any librdkafka property; optional by design
failures = []


def check(name, problems):
    problems = [p for p in problems if p]
    print(f"  {'ok  ' if not problems else 'FAIL'} {name}")
    for problem in problems:
        print(f"       - {problem}")
        failures.append(f"{name}: {problem}")


def read(path):
    with open(os.path.join(REPO, path)) as f:
        return f.read()


def env_example():
    values = {}
    for line in read(".env.example").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(node, values, used):
    if isinstance(node, dict):
        return {k: interpolate(v, values, used) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, values, used) for v in node]
    if isinstance(node, str):
        def replace(match):
            name, op, arg = match.group(1), match.group(2), match.group(3)
            used.add(name)
            value = values.get(name)
            if op in (":-", "-") and not value:
                return arg
            return value or ""
        return INTERPOLATION.sub(replace, node)
    return node


def code_services():
    """(library folder, executable) for every service in Package.swift."""
    return re.findall(r'\("\w+",\s*"(\w+)",\s*"(oms-[a-z]+)"\)', read("Package.swift"))


def variables_in(path):
    return {n for n in re.findall(r'"(OMS_[A-Z0-9_]+)"', open(path).read()) if not n.startswith(PASS_THROUGH_PREFIX)}


# Shared files every service's runtime reads its configuration through.
RUNTIME_CONFIGURATION = {"ServiceConfiguration", "DatabaseConfiguration"}


def variables_read(folder):
    """What one service reads: its own folder (library and executable), the runtime configuration,
    and any other shared type that reads the environment and that the service's code names."""
    own = ""
    names = set()
    for path in glob.glob(os.path.join(REPO, folder, "**", "*.swift"), recursive=True):
        names |= variables_in(path)
        own += open(path).read()
    for path in glob.glob(os.path.join(REPO, "Shared", "**", "*.swift"), recursive=True):
        type_name = os.path.basename(path)[:-len(".swift")]
        if type_name in RUNTIME_CONFIGURATION or re.search(r"\b" + re.escape(type_name) + r"\b", own):
            names |= variables_in(path)
    return names


def exported_metrics():
    names = set()
    for folder in ["Shared/Platform"] + [f"Services/{f}/Sources" for f, _ in code_services()]:
        for path in glob.glob(os.path.join(REPO, folder, "*.swift")):
            names |= set(re.findall(r'"(oms_[a-z0-9_]+)"', open(path).read()))
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogue", required=True, help="output of `omsctl topics list`")
    parser.add_argument("--compose-schema", required=True, help="the Compose specification JSON schema")
    args = parser.parse_args()
    print("deploy-check: static checks of docker-compose.yml, Deploy/ and Deploy/k8s")

    # 1. Compose file against the specification.
    raw = yaml.safe_load(read("docker-compose.yml"))
    values, used = env_example(), set()
    compose = interpolate(raw, values, used)
    schema = json.load(open(args.compose_schema))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    check("docker-compose.yml validates against the Compose specification schema",
          [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors])
    check(".env.example lists every variable docker-compose.yml uses",
          [f"{name} is used but not in .env.example" for name in sorted(used - set(values))])
    # A .env copied from .env.example must not change a default silently: what it shows is the default.
    defaults = {}
    for match in re.finditer(r"\$\{([A-Z0-9_]+):-([^}]*)\}", read("docker-compose.yml")):
        defaults.setdefault(match.group(1), set()).add(match.group(2))
    check(".env.example shows each variable's docker-compose.yml default",
          [f"{name}={value} in .env.example, default {sorted(defaults[name])} in docker-compose.yml"
           for name, value in sorted(values.items()) if name in defaults and value not in defaults[name]])
    mounts = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./") and not os.path.exists(os.path.join(REPO, source)):
                mounts.append(f"{name} mounts missing {source}")
    check("every file docker-compose.yml mounts exists", mounts)
    # The local run's override (Deploy/compose) may only swap what cannot exist without a registry.
    override = yaml.safe_load(read("Deploy/compose/docker-compose.local.yml"))
    allowed = {"image", "healthcheck", "profiles"}
    check("Deploy/compose/docker-compose.local.yml only swaps images (and the broker's health check, Grafana's profile)",
          [f"override of {n} sets {k}" for n, s in override["services"].items() for k in s if k not in allowed]
          + [f"override names {n}, not a docker-compose.yml service" for n in override["services"] if n not in compose["services"]]
          + [f"override sets top-level {k}" for k in override if k != "services"]
          + [f"override changes {n}'s health check" for n, s in override["services"].items() if "healthcheck" in s and n != "kafka"]
          + [f"override hides {n}" for n, s in override["services"].items() if "profiles" in s and n != "grafana"])

    # 2. Services in code vs compose vs k8s.
    executables = {exe for _, exe in code_services()}
    oms_compose = {name: s for name, s in compose["services"].items() if s.get("image", "").startswith("retail-oms")}
    compose_runs = {name: s["command"][0] for name, s in oms_compose.items()}
    k8s_docs = []
    for path in sorted(glob.glob(os.path.join(REPO, "Deploy/k8s/*.yaml"))):
        k8s_docs += [(os.path.basename(path), d) for d in yaml.safe_load_all(open(path)) if d]
    deployments = {d["metadata"]["name"]: d for _, d in k8s_docs if d["kind"] == "Deployment"}
    k8s_runs = {name: d["spec"]["template"]["spec"]["containers"][0]["command"][0] for name, d in deployments.items()}
    problems = [f"{exe} has no compose service" for exe in sorted(executables - set(compose_runs.values()))]
    problems += [f"{exe} has no k8s Deployment" for exe in sorted(executables - set(k8s_runs.values()))]
    problems += [f"compose service {n} runs {c}, which the code does not build" for n, c in compose_runs.items() if c not in executables | {"omsctl"}]
    problems += [f"Deployment {n} runs {c}, which the code does not build" for n, c in k8s_runs.items() if c not in executables]
    problems += [f"compose service {n} has no k8s Deployment" for n, c in compose_runs.items() if c != "omsctl" and n not in deployments]
    problems += [f"Deployment {n} has no compose service" for n in deployments if n not in compose_runs]
    check(f"services: {len(executables)} executables, {len(compose_runs)} OMS compose services, {len(deployments)} Deployments agree", problems)

    dockerfile = read("Deploy/Dockerfile")
    check("Deploy/Dockerfile builds and ships every executable compose and k8s run",
          [f"{exe} is not built (--product) and copied by the Dockerfile" for exe in sorted(executables | {"omsctl"})
           if f"--product {exe}" not in dockerfile or f'"$bin"/{exe}' not in dockerfile])

    # 3. Environment variables vs code.
    platform = set().union(*(variables_in(p) for p in glob.glob(os.path.join(REPO, "Shared", "Platform", "*.swift"))
                             if os.path.basename(p)[:-6] in RUNTIME_CONFIGURATION))
    folder_of = {exe: folder for folder, exe in code_services()}
    configmap = next(d for _, d in k8s_docs if d["kind"] == "ConfigMap")["data"]
    problems, everything_read = [], set(platform)
    for name, exe in compose_runs.items():
        if exe == "omsctl":
            continue
        needed = variables_read(f"Services/{folder_of[exe]}") - set(NOT_DEPLOYED)
        everything_read |= needed
        compose_env = set((oms_compose[name].get("environment") or {}).keys())
        problems += [f"compose {name}: {v} is read by the code but not set" for v in sorted(needed - compose_env)]
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        k8s_env = {e["name"] for e in container.get("env", [])}
        problems += [f"k8s {name}: {v} is read by the code but not set" for v in sorted(needed - k8s_env)]
        problems += [f"k8s {name}: {e['name']} references missing ConfigMap key"
                     for e in container.get("env", [])
                     if e.get("valueFrom", {}).get("configMapKeyRef", {}).get("key") not in (None, *configmap.keys())]
    for name, service in oms_compose.items():
        for var in (service.get("environment") or {}):
            if var.startswith("OMS_") and not var.startswith(PASS_THROUGH_PREFIX) and var not in everything_read | set(NOT_DEPLOYED):
                problems.append(f"compose {name}: sets {var}, which no code reads")
    for var in configmap:
        if not var.startswith(PASS_THROUGH_PREFIX) and var not in everything_read:
            problems.append(f"k8s ConfigMap: sets {var}, which no code reads")
    check(f"environment: the {len(everything_read)} OMS_* variables the services read are set in compose and k8s", problems)

    # 4. Grafana and Prometheus.
    dashboard = json.loads(read("Deploy/grafana/dashboards/oms-overview.json"))
    datasource = yaml.safe_load(read("Deploy/grafana/provisioning/datasources/prometheus.yml"))["datasources"][0]["uid"]
    metrics, problems, queried = exported_metrics(), [], set()
    for panel in dashboard["panels"]:
        if panel.get("datasource", {}).get("uid") != datasource:
            problems.append(f"panel '{panel['title']}' does not use datasource {datasource}")
        for target in panel.get("targets", []):
            for metric in re.findall(r"\b(oms_[a-z0-9_]+)", target["expr"]):
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                queried.add(base)
                if base not in metrics:
                    problems.append(f"panel '{panel['title']}' queries {metric}, which no service exports")
    check(f"Grafana dashboard: {len(dashboard['panels'])} panels query {len(queried)} metrics, all exported by the code", problems)
    prometheus = yaml.safe_load(read("Deploy/prometheus/prometheus.yml"))
    scraped = {n for job in prometheus["scrape_configs"] for sd in job.get("dns_sd_configs", []) for n in sd["names"]}
    check("Prometheus scrapes every OMS compose service",
          [f"{n} is not scraped" for n, c in compose_runs.items() if c != "omsctl" and n not in scraped])

    # 5. YAML parses; k8s manifests current and tied to the partition counts.
    problems = []
    for path in glob.glob(os.path.join(REPO, "Deploy", "**", "*.y*ml"), recursive=True) + [os.path.join(REPO, "docker-compose.yml")]:
        try:
            list(yaml.safe_load_all(open(path)))
        except yaml.YAMLError as error:
            problems.append(f"{os.path.relpath(path, REPO)}: {error}")
    check("every YAML file under Deploy/ parses", problems)
    result = subprocess.run([sys.executable, os.path.join(REPO, "Deploy/k8s/render.py"), "--catalogue", args.catalogue, "--check"],
                            capture_output=True, text=True)
    check("k8s manifests are current with the topic catalogue (render.py --check)", [result.stderr.strip()] if result.returncode else [])
    partitions = {}
    for line in open(args.catalogue):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 2:
            partitions[parts[0]] = int(parts[1])
    problems = []
    topics = {d["spec"]["topicName"]: d["spec"]["partitions"] for _, d in k8s_docs if d["kind"] == "KafkaTopic"}
    problems += [f"KafkaTopic {t}: {topics.get(t)} partitions, catalogue {p}" for t, p in partitions.items() if topics.get(t) != p]
    for _, d in k8s_docs:
        if d["kind"] == "ScaledObject" and d["spec"]["maxReplicaCount"] > max(partitions.values()):
            problems.append(f"ScaledObject {d['metadata']['name']} may scale past every partition count")
    check(f"Strimzi topics match the catalogue ({len(partitions)} topics); autoscaling capped at partition counts", problems)

    if failures:
        print(f"deploy-check: {len(failures)} problem(s)")
        sys.exit(1)
    print("deploy-check: all checks passed")


if __name__ == "__main__":
    main()
