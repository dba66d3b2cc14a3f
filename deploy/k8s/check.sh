#!/usr/bin/env bash
# Checks the manifests in deploy/k8s without a cluster:
#  - every YAML file parses, and kustomization.yaml lists every manifest (and only
#    files that exist);
#  - each Deployment: resource requests and limits, readiness, liveness and startup
#    probes, a non-root, read-only, no-escalation, no-capability securityContext,
#    terminationGracePeriodSeconds longer than its ATTAIN_SHUTDOWN_GRACE plus the
#    preStop pause, ports named grpc and metrics that agree with ATTAIN_LISTEN,
#    ATTAIN_METRICS_LISTEN and the prometheus.io annotations, a headless Service
#    and a PodDisruptionBudget selecting its pods;
#  - each StatefulSet: requests and limits, a readiness probe, a volume claim template;
#  - every ATTAIN_* variable a container sets is an option its binary accepts (read
#    from the sources: common/*.cc's Add*Options functions the binary's main.cc
#    calls, plus its own Add* calls), and every attainctl flag in a probe is a global
#    option attainctl accepts (tools/attainctl/cli.cc);
#  - dns:/// dependency addresses name a headless Service of the suite and its gRPC
#    port; redis:// and the PostgreSQL host name a Service here;
#  - every Secret/ConfigMap reference names a generated Secret or a ConfigMap here,
#    with that key;
#  - when kubectl (or kustomize) is installed: `kubectl kustomize` renders the
#    whole suite, with throwaway secrets from make-secrets.sh in a temporary copy.
# Usage: deploy/k8s/check.sh [--no-render]. Exit 0 when all is well, 1 otherwise.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
render=1
[[ "${1:-}" == --no-render ]] && render=0

# Debian's python3 (python3-yaml from deploy/local/install-deps.sh) before any other on PATH.
PY=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import yaml' 2>/dev/null; then PY=$candidate; break; fi
done
if [[ -z "$PY" ]]; then
  echo "check: python3 with PyYAML is needed (Debian: apt-get install -y python3-yaml)" >&2
  exit 1
fi

rc=0
"$PY" - "$HERE" "$ROOT" <<'PY' || rc=1
import glob, os, re, sys
import yaml

here, root = sys.argv[1], sys.argv[2]
problems = []
def bad(where, msg):
    problems.append(f"{where}: {msg}")

# --- parse -------------------------------------------------------------------------
objects = []   # (file, object)
kustomization = None
files = sorted(glob.glob(os.path.join(here, "*.yaml")) + glob.glob(os.path.join(here, "*.yml")))
for path in files:
    name = os.path.basename(path)
    try:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        bad(name, f"does not parse: {e}")
        continue
    if name == "kustomization.yaml":
        kustomization = docs[0] if docs else {}
        continue
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "apiVersion" not in d:
            bad(name, "a document without kind/apiVersion")
            continue
        objects.append((name, d))

# --- kustomization -----------------------------------------------------------------
generated = {}  # Secret name -> set of keys
if kustomization is None:
    bad("kustomization.yaml", "missing")
else:
    listed = kustomization.get("resources", []) or []
    for r in listed:
        if not os.path.exists(os.path.join(here, r)):
            bad("kustomization.yaml", f"lists {r}, which does not exist")
    for path in files:
        n = os.path.basename(path)
        if n != "kustomization.yaml" and n not in listed:
            bad("kustomization.yaml", f"does not list {n}")
    for g in kustomization.get("secretGenerator", []) or []:
        keys = set()
        for entry in (g.get("files", []) or []):
            key, _, src = entry.partition("=")
            if not src:
                key, src = os.path.basename(entry), entry
            keys.add(key)
            if not src.startswith("secrets/"):
                bad("kustomization.yaml", f"secret {g['name']}: {src} is outside secrets/ (never committed)")
        for entry in (g.get("literals", []) or []):
            keys.add(entry.partition("=")[0])
        if g.get("type") == "kubernetes.io/tls" and not {"tls.crt", "tls.key"} <= keys:
            bad("kustomization.yaml", f"TLS secret {g['name']} lacks tls.crt/tls.key")
        generated[g["name"]] = keys
    if kustomization.get("namespace") != "attain":
        bad("kustomization.yaml", "namespace is not attain")

# --- options the binaries accept ---------------------------------------------------
ADD = re.compile(r'\bAdd(?:String|Int|Bool|Duration)\(\s*"([^"]+)"')
FUNC_DEF = re.compile(r'^void\s+(Add\w*Options)\s*\(', re.M)
FUNC_CALL = re.compile(r'\b(Add\w*Options)\s*\(')
SETVAR = re.compile(r'\bSetVariable\(\s*"([^"]+)"\s*,\s*"([^"]*)"\s*\)')

def read(p):
    with open(p, errors="replace") as f:
        return f.read()

# Add*Options functions of common/: name -> (option names, functions they call).
common_funcs = {}
for p in sorted(glob.glob(os.path.join(root, "common", "*.cc"))):
    text = read(p)
    for m in FUNC_DEF.finditer(text):
        end = text.find("\n}", m.end())
        body = text[m.end(): end if end >= 0 else len(text)]
        common_funcs[m.group(1)] = (set(ADD.findall(body)),
                                    {c for c in FUNC_CALL.findall(body) if c != m.group(1)})

def options_of(sources):
    """Flag name -> environment variable (None if the flag has none)."""
    names, seen, todo = set(), set(), []
    renames = {}
    for p in sources:
        text = read(p)
        names |= set(ADD.findall(text))
        todo += [c for c in FUNC_CALL.findall(text) if c in common_funcs]
        for n, env in SETVAR.findall(text):
            renames[n] = env
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        opts, calls = common_funcs[f]
        names |= opts
        todo += [c for c in calls if c in common_funcs]
    out = {}
    for n in names:
        env = renames.get(n, "ATTAIN_" + n.upper().replace("-", "_"))
        out[n] = env or None
    return out

service_env = {}
for svc_dir in sorted(glob.glob(os.path.join(root, "services", "*"))):
    svc = os.path.basename(svc_dir)
    srcs = glob.glob(os.path.join(svc_dir, "src", "**", "*.cc"), recursive=True)
    if not srcs:
        continue
    opts = options_of(srcs)
    service_env[f"attain-{svc}"] = {e for e in opts.values() if e}

cli = read(os.path.join(root, "tools", "attainctl", "cli.cc"))
attainctl_flags = set(re.findall(r'\bname\s*[!=]=\s*"([a-z0-9-]+)"', cli))
# Plus the options of `attainctl health` (its Command's value flags, e.g. --service).
health = read(os.path.join(root, "tools", "attainctl", "health.cc"))
for flags in re.findall(r'\{("[a-z0-9-]+"(?:,\s*"[a-z0-9-]+")*)\}', health):
    attainctl_flags |= set(re.findall(r'"([a-z0-9-]+)"', flags))
# Plus the options of any common Add*Options function attainctl calls (e.g. TLS).
ctl_calls = set()
for p in glob.glob(os.path.join(root, "tools", "attainctl", "*.cc")):
    ctl_calls |= {c for c in FUNC_CALL.findall(read(p)) if c in common_funcs}
seen = set()
while ctl_calls:
    f = ctl_calls.pop()
    if f in seen:
        continue
    seen.add(f)
    opts, calls = common_funcs[f]
    attainctl_flags |= opts
    ctl_calls |= {c for c in calls if c in common_funcs}

# --- index the objects ---------------------------------------------------------------
by_kind = {}
for f, o in objects:
    by_kind.setdefault(o["kind"], []).append((f, o))
configmaps = {o["metadata"]["name"]: set((o.get("data") or {}).keys()) for _, o in by_kind.get("ConfigMap", [])}
services = {o["metadata"]["name"]: o for _, o in by_kind.get("Service", [])}
headless = {n: s for n, s in services.items() if s["spec"].get("clusterIP") == "None"}

for f, o in objects:
    if o["kind"] != "Namespace" and o["metadata"].get("namespace") != "attain":
        bad(f, f"{o['kind']} {o['metadata'].get('name')} is not in namespace attain")

def labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

def seconds(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)(ms|s|m|h)\s*", text or "")
    if not m:
        return None
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]

def port_of(hostport):
    m = re.search(r":(\d+)$", hostport or "")
    return int(m.group(1)) if m else None

def check_refs(where, c, volumes):
    for e in c.get("env", []) or []:
        vf = e.get("valueFrom") or {}
        if "secretKeyRef" in vf:
            r = vf["secretKeyRef"]
            if r["name"] not in generated:
                bad(where, f"env {e['name']}: no Secret {r['name']} is generated")
            elif r["key"] not in generated[r["name"]]:
                bad(where, f"env {e['name']}: Secret {r['name']} has no key {r['key']}")
        if "configMapKeyRef" in vf:
            r = vf["configMapKeyRef"]
            if r["name"] not in configmaps:
                bad(where, f"env {e['name']}: no ConfigMap {r['name']}")
            elif r["key"] not in configmaps[r["name"]]:
                bad(where, f"env {e['name']}: ConfigMap {r['name']} has no key {r['key']}")
    for v in volumes:
        if "secret" in v:
            n = v["secret"]["secretName"]
            if n not in generated:
                bad(where, f"volume {v['name']}: no Secret {n} is generated")
            for item in v["secret"].get("items", []) or []:
                if n in generated and item["key"] not in generated[n]:
                    bad(where, f"volume {v['name']}: Secret {n} has no key {item['key']}")
    mounts = {m["name"] for m in c.get("volumeMounts", []) or []}
    for m in mounts - {v["name"] for v in volumes}:
        bad(where, f"mounts volume {m}, which the pod does not define")

def has_limits(where, c):
    r = c.get("resources") or {}
    for part in ("requests", "limits"):
        for k in ("cpu", "memory"):
            if not (r.get(part) or {}).get(k):
                bad(where, f"resources.{part}.{k} missing")

def probe_cmd_words(probe):
    cmd = ((probe or {}).get("exec") or {}).get("command") or []
    if len(cmd) >= 3 and cmd[0] in ("sh", "/bin/sh") and cmd[1] == "-c":
        return cmd[2].split()
    return cmd

# --- Deployments -----------------------------------------------------------------------
for f, d in by_kind.get("Deployment", []):
    name = d["metadata"]["name"]
    where = f"{f}: Deployment {name}"
    pod = d["spec"]["template"]
    spec = pod["spec"]
    plabels = pod["metadata"].get("labels", {})
    if not labels_match(d["spec"]["selector"].get("matchLabels"), plabels):
        bad(where, "selector does not match the pod labels")
    psc = spec.get("securityContext") or {}
    for c in spec.get("containers", []):
        cw = f"{where}, container {c['name']}"
        csc = c.get("securityContext") or {}
        has_limits(cw, c)
        for p in ("readinessProbe", "livenessProbe", "startupProbe"):
            if not c.get(p):
                bad(cw, f"no {p}")
        non_root = csc.get("runAsNonRoot", psc.get("runAsNonRoot"))
        uid = csc.get("runAsUser", psc.get("runAsUser"))
        if non_root is not True:
            bad(cw, "runAsNonRoot is not true")
        if uid in (None, 0):
            bad(cw, "runAsUser is not a non-zero uid")
        if csc.get("readOnlyRootFilesystem") is not True:
            bad(cw, "readOnlyRootFilesystem is not true")
        if csc.get("allowPrivilegeEscalation") is not False:
            bad(cw, "allowPrivilegeEscalation is not false")
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
            bad(cw, "capabilities do not drop ALL")
        check_refs(cw, c, spec.get("volumes", []) or [])

        # The binary and its options.
        cmd = c.get("command") or []
        binary = os.path.basename(cmd[0]) if cmd else None
        accepted = service_env.get(binary)
        if accepted is None:
            bad(cw, f"command {cmd} is not one of the service binaries {sorted(service_env)}")
            accepted = set()
        env = {}
        for e in c.get("env", []) or []:
            env[e["name"]] = e.get("value")
            if e["name"].startswith("ATTAIN_") and e["name"] not in accepted:
                bad(cw, f"env {e['name']}: {binary} has no such option (not in its sources yet?)")
        for ef in c.get("envFrom", []) or []:
            cm = (ef.get("configMapRef") or {}).get("name")
            for k in configmaps.get(cm, set()):
                if k.startswith("ATTAIN_") and k not in accepted:
                    bad(cw, f"envFrom {cm}: {k}: {binary} has no such option")

        # Ports, listen addresses, metrics annotations.
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", []) or []}
        if "grpc" not in ports or "metrics" not in ports:
            bad(cw, "needs container ports named grpc and metrics")
        if port_of(env.get("ATTAIN_LISTEN")) != ports.get("grpc"):
            bad(cw, f"ATTAIN_LISTEN {env.get('ATTAIN_LISTEN')} is not on the grpc port {ports.get('grpc')}")
        if port_of(env.get("ATTAIN_METRICS_LISTEN")) != ports.get("metrics"):
            bad(cw, f"ATTAIN_METRICS_LISTEN {env.get('ATTAIN_METRICS_LISTEN')} is not on the metrics port")
        ann = pod["metadata"].get("annotations") or {}
        if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != str(ports.get("metrics")):
            bad(where, "prometheus.io/scrape and prometheus.io/port do not announce the metrics port")
        if ann.get("prometheus.io/path", "/metrics") != "/metrics":
            bad(where, "prometheus.io/path is not /metrics")

        # Probes: attainctl with options it accepts, on this pod's gRPC port.
        unknown_flags = {}
        for p in ("readinessProbe", "livenessProbe", "startupProbe"):
            if not c.get(p):
                continue
            words = probe_cmd_words(c.get(p))
            if not words:
                bad(cw, f"{p} is not an exec probe")
                continue
            if words[0] != "attainctl":
                continue
            for w in words[1:]:
                if w == "|":
                    break
                if w.startswith("--"):
                    flag = w[2:].split("=", 1)[0]
                    if flag not in attainctl_flags:
                        unknown_flags.setdefault(flag, []).append(p)
            if "--addr" in words:
                a = words[words.index("--addr") + 1]
                if port_of(a) != ports.get("grpc"):
                    bad(cw, f"{p}: --addr {a} is not this pod's gRPC port")
            if "health" not in words:
                bad(cw, f"{p}: does not run `attainctl health`")
        for flag, where_used in sorted(unknown_flags.items()):
            bad(cw, f"attainctl has no global option --{flag} (used in {', '.join(where_used)}; "
                    "not in tools/attainctl/cli.cc yet?)")
        rp, lp = c.get("readinessProbe") or {}, c.get("livenessProbe") or {}
        if lp.get("periodSeconds", 10) * lp.get("failureThreshold", 3) <= rp.get("periodSeconds", 10) * rp.get("failureThreshold", 3):
            bad(cw, "liveness is not more lenient than readiness (period x failureThreshold)")

        # Shutdown: the grace period covers the preStop pause and the drain.
        grace = seconds(env.get("ATTAIN_SHUTDOWN_GRACE") or "10s")
        pre = 0
        pre_cmd = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
        if pre_cmd[:1] == ["sleep"] and len(pre_cmd) == 2:
            pre = float(pre_cmd[1])
        tgps = spec.get("terminationGracePeriodSeconds", 30)
        if grace is None or tgps <= grace + pre:
            bad(where, f"terminationGracePeriodSeconds {tgps} is not longer than ATTAIN_SHUTDOWN_GRACE "
                       f"({env.get('ATTAIN_SHUTDOWN_GRACE')}) plus the preStop pause ({pre:g}s)")

        # Dependencies: dns:/// names of headless Services here, on their gRPC port.
        for k, v in env.items():
            if not k.endswith("_ADDR") or v is None:
                continue
            m = re.fullmatch(r"dns:///([a-z0-9-]+)\.attain\.svc\.cluster\.local:(\d+)", v)
            if not m:
                bad(cw, f"{k}={v} is not dns:///<service>.attain.svc.cluster.local:<port>")
                continue
            s = headless.get(m.group(1))
            if s is None:
                bad(cw, f"{k}: {m.group(1)} is not a headless Service here")
            elif int(m.group(2)) not in [p["port"] for p in s["spec"]["ports"] if p.get("name") == "grpc"]:
                bad(cw, f"{k}: port {m.group(2)} is not {m.group(1)}'s grpc port")
        if env.get("ATTAIN_REDIS_URL"):
            m = re.fullmatch(r"redis://([a-z0-9-]+)\.attain\.svc\.cluster\.local:(\d+)(/\d+)?", env["ATTAIN_REDIS_URL"])
            if not m or m.group(1) not in services:
                bad(cw, f"ATTAIN_REDIS_URL {env['ATTAIN_REDIS_URL']} does not name a Service here")

    if spec.get("enableServiceLinks") is not False:
        bad(where, "enableServiceLinks is not false (service links inject ATTAIN_* variables)")
    if not any(labels_match(s["spec"].get("selector"), plabels) for s in headless.values()):
        bad(where, "no headless Service (clusterIP: None) selects its pods")
    if not any(labels_match(p["spec"]["selector"].get("matchLabels"), plabels)
               for _, p in by_kind.get("PodDisruptionBudget", [])):
        bad(where, "no PodDisruptionBudget selects its pods")

# --- StatefulSets ------------------------------------------------------------------------
for f, s in by_kind.get("StatefulSet", []):
    where = f"{f}: StatefulSet {s['metadata']['name']}"
    spec = s["spec"]["template"]["spec"]
    psc = spec.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True:
        bad(where, "runAsNonRoot is not true")
    for c in spec.get("containers", []):
        cw = f"{where}, container {c['name']}"
        has_limits(cw, c)
        if not c.get("readinessProbe"):
            bad(cw, "no readinessProbe")
        if not c.get("livenessProbe"):
            bad(cw, "no livenessProbe")
        claims = [{"name": t["metadata"]["name"]} for t in s["spec"].get("volumeClaimTemplates", []) or []]
        check_refs(cw, c, (spec.get("volumes", []) or []) + claims)
    if not s["spec"].get("volumeClaimTemplates"):
        bad(where, "no volumeClaimTemplates")
    if s["spec"].get("serviceName") not in services:
        bad(where, f"serviceName {s['spec'].get('serviceName')} is not a Service here")

# --- Services: they select pods of a workload, on named ports that exist ----------------
workloads = by_kind.get("Deployment", []) + by_kind.get("StatefulSet", [])
for n, s in services.items():
    pods = [w for _, w in workloads if labels_match(s["spec"].get("selector"), w["spec"]["template"]["metadata"].get("labels", {}))]
    if not pods:
        bad(f"Service {n}", "selects no pods")
        continue
    names = {p.get("name") for w in pods for c in w["spec"]["template"]["spec"]["containers"] for p in c.get("ports", []) or []}
    for p in s["spec"]["ports"]:
        if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
            bad(f"Service {n}", f"targetPort {p['targetPort']} is not a port of its pods")

# The PostgreSQL URL of the generated secret is not in the repository; its host must
# be a Service here (make-secrets.sh writes attain-postgres).
if "attain-postgres" not in services:
    bad("postgres.yaml", "no Service attain-postgres (the host of ATTAIN_PG_URL)")

deployments = len(by_kind.get("Deployment", []))
print(f"check: {len(files)} YAML files, {len(objects)} objects, {deployments} Deployments; "
      f"options read for {', '.join(sorted(service_env))} and attainctl")
if problems:
    for p in problems:
        print(f"check: FAIL {p}")
    sys.exit(1)
print("check: manifests OK")
PY

# --- render with kustomize ----------------------------------------------------------
if [[ $render -eq 1 ]]; then
  if command -v kubectl >/dev/null 2>&1; then
    kz=(kubectl kustomize)
  elif command -v kustomize >/dev/null 2>&1; then
    kz=(kustomize build)
  else
    kz=()
    echo "check: neither kubectl nor kustomize: skipping the render"
  fi
  if [[ ${#kz[@]} -gt 0 ]]; then
    if ! command -v openssl >/dev/null 2>&1; then
      echo "check: no openssl: skipping the render (make-secrets.sh needs it)"
    else
      tmp=$(mktemp -d)
      trap 'rm -rf "$tmp"' EXIT
      cp "$HERE"/*.yaml "$tmp"/
      if ! SECRETS_DIR=$tmp/secrets "$HERE/make-secrets.sh" >"$tmp/make-secrets.log" 2>&1; then
        cat "$tmp/make-secrets.log" >&2
        echo "check: FAIL make-secrets.sh failed" >&2
        rc=1
      elif ! "${kz[@]}" "$tmp" >"$tmp/rendered.yaml" 2>"$tmp/render.err"; then
        cat "$tmp/render.err" >&2
        echo "check: FAIL ${kz[*]} could not render the suite" >&2
        rc=1
      elif ! "$PY" - "$tmp/rendered.yaml" <<'PY'; then
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
secrets = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
missing = set()
for d in docs:
    if d["kind"] not in ("Deployment", "StatefulSet"):
        continue
    spec = d["spec"]["template"]["spec"]
    for v in spec.get("volumes", []) or []:
        if "secret" in v and v["secret"]["secretName"] not in secrets:
            missing.add(v["secret"]["secretName"])
    for c in spec["containers"]:
        for e in c.get("env", []) or []:
            r = (e.get("valueFrom") or {}).get("secretKeyRef")
            if r and r["name"] not in secrets:
                missing.add(r["name"])
        if c["image"] == "attain":
            print(f"check: FAIL {d['metadata']['name']}: the image name was not replaced (images: in kustomization.yaml)")
            sys.exit(1)
if missing:
    print(f"check: FAIL rendered workloads refer to Secrets that are not generated: {sorted(missing)}")
    sys.exit(1)
kinds = {}
for d in docs:
    kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
print("check: rendered with kustomize: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
PY
        rc=1
      fi
    fi
  fi
fi

exit $rc
