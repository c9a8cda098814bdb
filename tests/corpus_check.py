#!/usr/bin/env python3
"""Corpus test for harden (SPEC §1): run over every real and KICS compose file.

usage: corpus_check.py HARDEN_BIN SHARED_DIR

For every file:
  (a) `harden --select none FILE` prints FILE byte for byte.
For every file that is valid Compose on input (JSON schema, draft 2020-12):
  - `harden --write` on a lone copy (original file name) succeeds;
  - the result is still valid Compose;
  - the result is idempotent (`harden --check` exits 0);
  - every service meets the baseline, unless harden reported why not
    (`not_fixed` in the JSON report: a refusal, counted and printed);
  - no limit the output adds is one the engine refuses or that starves the
    service: `cpus` beside cpu_quota/cpu_period, a memory limit below a
    reservation or a JVM heap, or above memswap_limit;
  - no original line outside the changed keys was removed or altered.

Needs python3-yaml and python3-jsonschema (Debian 12: 4.10, which knows
draft 2020-12).
"""

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import yaml

# --------------------------------------------------------------------------
# Loading YAML the way Compose (compose-go, go-yaml v3) does: the YAML 1.2
# core schema (no yes/no/on/off booleans, no timestamps, no sexagesimal
# numbers), merge keys resolved, duplicate keys rejected, and the Compose
# tags !reset and !override accepted.


class ComposeLoader(yaml.SafeLoader):
    pass


ComposeLoader.yaml_implicit_resolvers = {}
ComposeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
ComposeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
ComposeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
ComposeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
ComposeLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith("nan"):
        return float("nan")
    return float(text)


def _construct_mapping(loader, node):
    # Duplicates are looked for before merge keys are flattened: a key that
    # overrides a merged one is no duplicate.
    seen = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = key_node.value
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, "duplicate key %r" % key, key_node.start_mark)
            seen.add(key)
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[str(key) if not isinstance(key, str) else key] = loader.construct_object(value_node, deep=True)
    return mapping


def _construct_compose_tag(loader, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return _construct_mapping(loader, node)


ComposeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
ComposeLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
ComposeLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
ComposeLoader.add_constructor("!reset", _construct_compose_tag)
ComposeLoader.add_constructor("!override", _construct_compose_tag)


# PyYAML refuses a tab between `key:` and its value, which YAML 1.2 (and
# go-yaml) accept as separation space; such tabs are read as one space.
TAB_AFTER_COLON = re.compile(r"(?m)^([ ]*(?:- )?[A-Za-z0-9_.-]+:)[ \t]*\t[ \t]*(?=\S)")


def load_compose(text):
    """Returns the first non-empty document, or raises."""
    try:
        docs = list(yaml.load_all(text, Loader=ComposeLoader))
    except yaml.scanner.ScannerError as e:
        if "'\\t'" not in str(e) and "\t" not in str(e):
            raise
        docs = list(yaml.load_all(TAB_AFTER_COLON.sub(r"\1 ", text), Loader=ComposeLoader))
    docs = [d for d in docs if d is not None]
    if len(docs) != 1:
        raise ValueError("%d documents" % len(docs))
    return docs[0]


class Schema:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        self.validator = cls(schema)
        self.name = cls.__name__

    def problem(self, text):
        """None when text is valid Compose, else a one-line reason."""
        try:
            data = load_compose(text)
        except Exception as e:  # noqa: BLE001 - any load failure makes the file invalid
            return "YAML: " + str(e).replace("\n", " ")[:160]
        if not isinstance(data, dict):
            return "not a mapping"
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            return "schema: %s: %s" % (where, error.message[:160])
        return None


# --------------------------------------------------------------------------
# The baseline, checked on the values (merge keys are resolved by the loader,
# same-file `extends` here).

BASELINE_RULES = {
    "privileged": "H101",
    "cap_drop": "H102",
    "no-new-privileges": "H103",
    "read_only": "H104",
    "memory limit": "H105",
    "cpu limit": "H105",
    "pids limit": "H105",
    "bind of /": "H106",
}


def resolve_service(services, name, seen=()):
    service = services.get(name)
    if not isinstance(service, dict):
        return {}
    extends = service.get("extends")
    base_name = None
    if isinstance(extends, str):
        base_name = extends
    elif isinstance(extends, dict) and not extends.get("file"):
        base_name = extends.get("service")
    if not base_name or base_name in seen or base_name not in services:
        return service
    base = resolve_service(services, base_name, seen + (name,))
    merged = dict(base)
    for key, value in service.items():
        if key in merged and isinstance(merged[key], list) and isinstance(value, list):
            merged[key] = merged[key] + value
        elif key in merged and isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def deep_merge(a, b):
    out = dict(a)
    for key, value in b.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def binds_root(volume):
    if isinstance(volume, str):
        source = volume.split(":", 1)[0] if ":" in volume else None
    elif isinstance(volume, dict):
        if volume.get("type", "volume") != "bind":
            return False
        source = volume.get("source")
    else:
        return False
    return isinstance(source, str) and source.startswith("/") and source.strip("/") in ("", ".")


def nnp_set(options):
    for option in options if isinstance(options, list) else []:
        if not isinstance(option, str):
            continue
        text = option.strip()
        if text == "no-new-privileges":
            return True
        m = re.fullmatch(r"no-new-privileges\s*[:=]\s*(\S+)", text)
        if m and m.group(1).lower() == "true":
            return True
    return False


INVALID_SECCOMP_VALUES = {"", "default", "docker-default", "docker/default", "runtime/default", "enabled",
                          "enable", "true", "on", "yes", "1", "confined", "strict"}


def invalid_seccomp(option):
    """A security_opt item that H111 (safe, baseline) deletes: a seccomp value
    Docker rejects, or a seccomp setting written as a label option."""
    if not isinstance(option, str):
        return False
    text = option.strip()
    if text == "seccomp":
        return True
    m = re.match(r"([^:=]*)[:=](.*)$", text)
    if not m:
        return False
    key, value = m.group(1).strip(), m.group(2).strip()
    if key == "seccomp":
        return value.lower() in INVALID_SECCOMP_VALUES
    if key == "label":
        value = value.lower()
        return value == "seccomp" or value.startswith(("seccomp:", "seccomp="))
    return False


def baseline_misses(service):
    """The baseline requirements the service does not meet."""
    misses = []
    if service.get("privileged") is True:
        misses.append("privileged")
    cap_drop = service.get("cap_drop")
    if not (isinstance(cap_drop, list) and any(str(c).upper() in ("ALL", "CAP_ALL") for c in cap_drop)):
        misses.append("cap_drop")
    if not nnp_set(service.get("security_opt")):
        misses.append("no-new-privileges")
    if service.get("read_only") is not True:
        misses.append("read_only")
    limits = (((service.get("deploy") or {}).get("resources") or {}).get("limits") or {})
    if not isinstance(limits, dict):
        limits = {}
    if "mem_limit" not in service and "memory" not in limits:
        misses.append("memory limit")
    if "cpus" not in service and "cpus" not in limits and not any(k in service for k in CPU_SETTINGS):
        misses.append("cpu limit")
    if "pids_limit" not in service and "pids" not in limits:
        misses.append("pids limit")
    volumes = service.get("volumes")
    if isinstance(volumes, list) and any(binds_root(v) for v in volumes):
        misses.append("bind of /")
    return misses


# --------------------------------------------------------------------------
# Limits the engine refuses or that starve the service: `cpus` beside
# cpu_quota or cpu_period (or cpu_count/cpu_percent), a memory limit below a
# reservation or a JVM heap, or above memswap_limit.

# Service keys that count as a cpu limit; `cpus` beside them is refused
# (cpuset is a placement the author chose).
CPU_SETTINGS = ("cpu_quota", "cpu_period", "cpu_count", "cpu_percent", "cpuset")
CPU_CONFLICTS = ("cpu_quota", "cpu_period", "cpu_count", "cpu_percent")
JVM_VARIABLES = ("JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "ES_JAVA_OPTS",
                 "OPENSEARCH_JAVA_OPTS", "LS_JAVA_OPTS", "KAFKA_HEAP_OPTS", "CATALINA_OPTS", "JVM_OPTS")
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def with_defaults(text):
    """Compose interpolation as far as the file tells: ${VAR:-x} -> x."""
    text = re.sub(r"\$\{[A-Za-z0-9_]+:?-([^{}]*)\}", r"\1", str(text))
    return re.sub(r"\$\{[^{}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "", text)


def memory_bytes(value):
    """Docker's RAMInBytes; None when absent, not a size, 0 or -1."""
    if value is None or isinstance(value, bool):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?) ?([kKmMgGtTpP]?)[iI]?[bB]?", with_defaults(value).strip())
    if not m:
        return None
    size = int(float(m.group(1)) * UNITS[m.group(2).lower()])
    return size or None


def jvm_heap(service):
    """The largest -Xmx/-Xms in the JVM variables, command and entrypoint."""
    texts = []
    env = service.get("environment")
    if isinstance(env, dict):
        texts += [str(v) for k, v in env.items() if k in JVM_VARIABLES and v is not None]
    elif isinstance(env, list):
        texts += [str(i).split("=", 1)[1] for i in env if "=" in str(i) and str(i).split("=", 1)[0] in JVM_VARIABLES]
    for key in ("command", "entrypoint"):
        value = service.get(key)
        texts += [" ".join(map(str, value))] if isinstance(value, list) else [str(value)] if value else []
    heaps = []
    for text in texts:
        for m in re.finditer(r"(?:^|[\s\"'=,\[])-Xm[xs]([0-9]+)([kKmMgGtT]?)(?=$|[\s\"',\]])", with_defaults(text)):
            heaps.append(int(m.group(1)) * UNITS[m.group(2).lower()])
    return max(heaps) if heaps else None


def limit_problems(service):
    """What the engine refuses, or what starves the service, in its limits."""
    problems = []
    deploy = service.get("deploy") if isinstance(service.get("deploy"), dict) else {}
    resources = deploy.get("resources") if isinstance(deploy.get("resources"), dict) else {}
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    reservations = resources.get("reservations") if isinstance(resources.get("reservations"), dict) else {}
    if "cpus" in service or "cpus" in limits:
        for key in CPU_CONFLICTS:
            if key in service:
                problems.append("cpus beside %s" % key)
    memory = memory_bytes(limits.get("memory")) or memory_bytes(service.get("mem_limit"))
    if memory:
        for name, value in (("mem_reservation", service.get("mem_reservation")),
                            ("deploy.resources.reservations.memory", reservations.get("memory"))):
            needed = memory_bytes(value)
            if needed and memory < needed:
                problems.append("memory limit %d below %s %d" % (memory, name, needed))
        swap = memory_bytes(service.get("memswap_limit"))
        if swap and memory > swap:
            problems.append("memory limit %d above memswap_limit %d" % (memory, swap))
        heap = jvm_heap(service)
        if heap and memory < heap:
            problems.append("memory limit %d below the JVM heap %d" % (memory, heap))
    return problems


# --------------------------------------------------------------------------
# Which original lines may change: found on the input's node tree.

# Keys of a service that the baseline fixes may edit in place.
EDITED_KEYS = {"privileged", "cap_drop", "cap_add", "security_opt", "read_only", "tmpfs",
               "volumes", "mem_limit", "cpus", "pids_limit", "deploy"}


def node_lines(node):
    """0-based first and last line a node occupies."""
    end = node.end_mark
    last = end.line if end.column > 0 else end.line - 1
    return node.start_mark.line, max(node.start_mark.line, last)


def scalar_text_of(node):
    return node.value if isinstance(node, yaml.ScalarNode) else None


def allowed_lines(text):
    """Returns (removable, editable): sets of 0-based input lines.

    removable: lines of a `privileged:` entry (H101), of a volume item that
    binds `/` (H106) or of a security_opt item that H111 deletes; editable:
    lines of any entry of a service key the baseline edits, and lines that
    hold a flow collection of the services.
    """
    removable, editable = set(), set()
    try:
        # The tab workaround keeps every line where it is.
        root = yaml.compose(TAB_AFTER_COLON.sub(r"\1 ", text), Loader=ComposeLoader)
    except Exception:  # noqa: BLE001
        return removable, editable
    if not isinstance(root, yaml.MappingNode):
        return removable, editable
    services = None
    for key, value in root.value:
        if scalar_text_of(key) == "services":
            services = value
    if not isinstance(services, yaml.MappingNode):
        return removable, editable

    def mark_flow(node):
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.flow_style:
            first, last = node_lines(node)
            editable.update(range(first, last + 1))
            return
        if isinstance(node, yaml.MappingNode):
            for _, v in node.value:
                mark_flow(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                mark_flow(v)

    mark_flow(services)
    for _, service in services.value:
        if not isinstance(service, yaml.MappingNode):
            continue
        for key, value in service.value:
            name = scalar_text_of(key)
            if name not in EDITED_KEYS:
                continue
            first = key.start_mark.line
            _, last = node_lines(value)
            last = max(first, last)
            editable.update(range(first, last + 1))
            if name == "privileged":
                removable.update(range(first, last + 1))
            if name == "security_opt" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if isinstance(item, yaml.ScalarNode) and invalid_seccomp(item.value):
                        a, b = node_lines(item)
                        removable.update(range(a, b + 1))
            if name == "volumes" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    constructed = ComposeLoader("")  # only to construct this node
                    try:
                        data = constructed.construct_object(item, deep=True)
                    except Exception:  # noqa: BLE001
                        data = None
                    finally:
                        constructed.dispose()
                    if binds_root(data):
                        a, b = node_lines(item)
                        removable.update(range(a, b + 1))
    return removable, editable


def line_breaks(text):
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return crlf, lf


KEY_PREFIX = re.compile(r"^\s*(?:-\s+)?[A-Za-z0-9_.-]+:(?:\s|$)")


def same_key(a, b):
    """Both lines start with the same `key:` (a value rewritten in place)."""
    m = KEY_PREFIX.match(a)
    return bool(m) and b.startswith(m.group(0).rstrip()) and KEY_PREFIX.match(b) is not None


def diff_problems(before, after):
    """Original lines that disappeared or changed outside the changed keys."""
    problems = []
    removable, editable = allowed_lines(before)
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("delete", "replace"):
            continue
        unused = list(range(j1, j2))
        for i in range(i1, i2):
            if i in removable:
                continue
            if tag == "delete":
                problems.append("line %d removed: %r" % (i + 1, old[i]))
                continue
            # A line of a changed key may be rewritten (`cap_drop: [X]` ->
            # `cap_drop: [X, ALL]`), not dropped: it needs a similar new line.
            match = None
            if i in editable:
                for j in unused:
                    if same_key(old[i], new[j]) or difflib.SequenceMatcher(None, old[i], new[j]).ratio() >= 0.6:
                        match = j
                        break
            if match is None:
                problems.append("line %d %s: %r" % (
                    i + 1, "removed" if i in editable else "changed", old[i]))
            else:
                unused.remove(match)
    crlf_before, lf_before = line_breaks(before)
    crlf_after, lf_after = line_breaks(after)
    if lf_before == 0 and crlf_before > 0 and lf_after > 0:
        problems.append("bare LF line breaks added to a CRLF file")
    if crlf_before == 0 and crlf_after > 0:
        problems.append("CRLF line breaks added to an LF file")
    if before.startswith("\ufeff") != after.startswith("\ufeff"):
        problems.append("byte-order mark changed")
    return problems


# --------------------------------------------------------------------------


def original_name(path, manifest):
    if path.name in manifest:
        return os.path.basename(manifest[path.name])
    return path.name.rsplit("__", 1)[-1]


def read_manifest(real_dir):
    manifest = {}
    path = real_dir / "MANIFEST.tsv"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) >= 3:
                manifest[cols[0]] = cols[2]
    return manifest


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, **kw)


class FileResult:
    """What one corpus file gave: checks, counts and lines to print."""

    def __init__(self, rel):
        self.rel = rel
        self.passed = 0
        self.failures = []
        self.counts = {}
        self.refusals = []
        self.invalid = None

    def check(self, ok, label, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append("%s: %s%s" % (label, self.rel, (": " + detail) if detail else ""))
        return ok

    def count(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n


def check_file(harden, schema, path, rel, work, name):
    result = FileResult(rel)
    check = result.check
    result.count("files")
    data = path.read_bytes()

    # (a) --select none is the identity.
    r = run([harden, "--select", "none", str(path)])
    if check(r.returncode == 0 and r.stdout == data, "select-none not identical",
             "exit %d, %d bytes out of %d: %s" % (r.returncode, len(r.stdout), len(data),
                                                   r.stderr.decode("utf-8", "replace").strip().splitlines()[0][:200] if r.stderr.strip() else "")):
        result.count("identical")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    problem = schema.problem(text) if text is not None else "not UTF-8"
    if problem:
        result.count("invalid_in")
        result.invalid = "%s: %s" % (rel, problem)
        return result
    result.count("valid_in")

    work.mkdir()
    target = work / name
    shutil.copyfile(path, target)

    report = run([harden, "--check", "--format", "json", str(target)])
    try:
        findings_report = json.loads(report.stdout.decode("utf-8"))
    except ValueError:
        findings_report = None
    check(findings_report is not None, "no JSON report",
          report.stderr.decode("utf-8", "replace").strip()[:200])

    w = run([harden, "--write", str(target)])
    file_error = None
    for f in (findings_report or {}).get("files", []):
        if f.get("error"):
            file_error = f["error"].get("message")
    if w.returncode != 0:
        message = file_error or w.stderr.decode("utf-8", "replace").strip()
        # A construct refused with a location is the spec's "refuse rather
        # than guess"; an internal error (failed verification) is a bug.
        if file_error and not re.search(r"verif|internal", file_error, re.I):
            result.count("file_refusals")
            result.refusals.append("%s: whole file refused: %s" % (rel, message))
        else:
            check(False, "write failed", "exit %d: %s" % (w.returncode, message[:300]))
        return result
    check(True, "written")
    result.count("written")
    after = target.read_bytes()
    after_text = after.decode("utf-8", "replace")

    problem = schema.problem(after_text)
    if check(problem is None, "invalid after --write", problem or ""):
        result.count("still_valid")

    c = run([harden, "--check", str(target)])
    if check(c.returncode == 0, "not idempotent",
             "--check exit %d: %s" % (c.returncode, c.stdout.decode("utf-8", "replace")[:400])):
        result.count("idempotent")

    # Baseline per service; a miss is excused by a `not_fixed` reason (or a
    # waiver) for that service and rule in the report made before writing.
    not_fixed = {}
    for f in (findings_report or {}).get("files", []):
        for finding in f.get("findings", []):
            reason = finding.get("not_fixed") or ("waived" if finding.get("waived") else None)
            if reason and not finding.get("fixed"):
                not_fixed.setdefault((finding.get("service"), finding.get("rule")), reason)
    file_ok = True
    try:
        services = (load_compose(after_text) or {}).get("services") or {}
    except Exception as e:  # noqa: BLE001
        services = {}
        file_ok = check(False, "output does not load", str(e)[:200])
    try:
        services_before = (load_compose(text) or {}).get("services") or {}
    except Exception:  # noqa: BLE001 - the input loaded for the schema check
        services_before = {}
    for service_name in services:
        result.count("services")
        before = (set(limit_problems(resolve_service(services_before, service_name)))
                  if service_name in services_before else set())
        added = [p for p in limit_problems(resolve_service(services, service_name)) if p not in before]
        if check(not added, "limits the engine refuses or that starve the service",
                 "service %s: %s" % (service_name, "; ".join(added))):
            result.count("limits_ok")
        misses = baseline_misses(resolve_service(services, service_name))
        unexplained = []
        for miss in misses:
            reason = not_fixed.get((service_name, BASELINE_RULES[miss]))
            if reason:
                result.refusals.append("%s: service %s: %s not met (%s): %s" % (
                    rel, service_name, miss, BASELINE_RULES[miss], reason))
            else:
                unexplained.append(miss)
        if unexplained:
            file_ok = False
            check(False, "baseline not met", "service %s: %s" % (service_name, ", ".join(unexplained)))
        elif misses:
            result.count("refused_services")
        else:
            result.count("services_ok")
    if file_ok:
        check(True, "baseline")
        result.count("baseline")

    problems = diff_problems(text, after_text)
    if check(not problems, "original lines changed", "; ".join(problems[:5])):
        result.count("diff_ok")
    return result


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    harden = os.path.abspath(sys.argv[1])
    shared = Path(sys.argv[2]).resolve()
    real_dir = shared / "corpus" / "real"
    files = sorted(list(real_dir.glob("*.yml")) + list(real_dir.glob("*.yaml")))
    files += sorted((shared / "corpus" / "kics").glob("*/*.yaml"))
    # HARDEN_CORPUS_SAMPLE=N checks every Nth file (the sanitizer build runs
    # a sample; the fuzz stage feeds it the whole corpus under ASan anyway).
    sample = int(os.environ.get("HARDEN_CORPUS_SAMPLE", "1") or "1")
    if sample < 1:
        print("HARDEN_CORPUS_SAMPLE must be a positive integer")
        return 2
    files = files[::sample]
    # 252 real files and 111 KICS fixtures: a run over far fewer has lost
    # its data and must not pass.
    minimum = 350 // sample
    if len(files) < minimum:
        print("corpus: %d files under %s, expected at least %d" % (len(files), shared / "corpus", minimum))
        print("0 passed, 1 failed")
        return 1
    manifest = read_manifest(real_dir)
    schema = Schema(shared / "schema" / "compose-spec.json")
    print("schema: compose-spec.json with %s (jsonschema %s)" % (schema.name, _jsonschema_version()))

    jobs = max(2, min(8, os.cpu_count() or 1))
    tmp_root = Path(tempfile.mkdtemp(prefix="harden-corpus-"))
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(check_file, harden, schema, path, str(path.relative_to(shared / "corpus")),
                                   tmp_root / str(index), original_name(path, manifest))
                       for index, path in enumerate(files)]
            results = []
            for future, path in zip(futures, files):
                try:
                    results.append(future.result())
                except Exception as e:  # noqa: BLE001 - a crash of the checker is a failure
                    broken = FileResult(str(path))
                    broken.check(False, "checker error", repr(e)[:300])
                    results.append(broken)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    counts = {}
    for r in results:
        for key, value in r.counts.items():
            counts[key] = counts.get(key, 0) + value
    get = lambda key: counts.get(key, 0)  # noqa: E731
    passed = sum(r.passed for r in results)
    failures = [line for r in results for line in r.failures]
    refusals = [line for r in results for line in r.refusals]
    invalid = [r.invalid for r in results if r.invalid]

    print("files:                     %d" % get("files"))
    print("select none identical:     %d/%d" % (get("identical"), get("files")))
    print("valid Compose on input:    %d (skipped as invalid: %d)" % (get("valid_in"), get("invalid_in")))
    print("written (--write exit 0):  %d/%d (whole file refused: %d)" % (
        get("written"), get("valid_in"), get("file_refusals")))
    print("still valid after --write: %d/%d" % (get("still_valid"), get("written")))
    print("idempotent:                %d/%d" % (get("idempotent"), get("written")))
    print("baseline met (files):      %d/%d" % (get("baseline"), get("written")))
    print("services:                  %d (baseline met: %d, refused with a reason: %d)" % (
        get("services"), get("services_ok"), get("refused_services")))
    print("limits fit (services):     %d/%d" % (get("limits_ok"), get("services")))
    print("refusals (service, requirement): %d" % len(refusals))
    print("only changed keys edited:  %d/%d" % (get("diff_ok"), get("written")))
    if invalid:
        print("\ninvalid on input (skipped, %d):" % len(invalid))
        for line in invalid:
            print("  " + line)
    if refusals:
        print("\nrefusals (%d):" % len(refusals))
        for line in refusals:
            print("  " + line)
    if failures:
        print("\nfailures (%d):" % len(failures))
        for line in failures:
            print("  " + line)
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


def _jsonschema_version():
    try:
        from importlib.metadata import version
        return version("jsonschema")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    sys.exit(main())
