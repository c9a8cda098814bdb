#!/usr/bin/env python3
"""Validates harden's SARIF report against the SARIF 2.1.0 JSON schema.

usage: sarif_validate.py HARDEN COMPOSE_FILE

Runs `HARDEN --check --format sarif COMPOSE_FILE` (from the file's folder,
so that the artifact URI is the relative file name) and checks:
  - the log validates against tests/sarif-schema-2.1.0.json, the official
    SARIF 2.1.0 schema (JSON Schema draft-04; "2.1.0-rtm.5", the text
    published by OASIS and SchemaStore, as shipped in the npm package
    @microsoft/jest-sarif 1.0.0-beta.0, lib/schemas/sarif-2.1.0-rtm.5.json);
  - what GitHub code scanning needs beyond the schema: a driver name, rules
    with id, shortDescription, fullDescription, help text and a default
    level, results with ruleId, message and a physical location with a
    relative URI and startLine;
  - every fix applies: its replacements, applied to the input, give what
    `harden` prints for that file when only that rule runs, or at least a
    file that parses as YAML;
  - the --report FILE copy is identical to stdout.
Exit 0 on success, 1 on a failure, 77 (skipped) when the jsonschema module
is missing.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "sarif-schema-2.1.0.json")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def apply_replacements(text, replacements):
    """Applies SARIF replacements (charOffset/charLength in code points)."""
    chars = list(text)
    # Apply from the end so that earlier offsets stay valid.
    for r in sorted(replacements, key=lambda r: r["deletedRegion"]["charOffset"], reverse=True):
        region = r["deletedRegion"]
        start, length = region["charOffset"], region.get("charLength", 0)
        inserted = r.get("insertedContent", {}).get("text", "")
        chars[start:start + length] = list(inserted)
    return "".join(chars)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    harden, compose = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    try:
        import jsonschema
    except ImportError:
        print("SKIP: python3 jsonschema is not installed (apt-get install python3-jsonschema)")
        return 77
    if not os.path.exists(compose):
        fail(f"{compose} does not exist")
    folder, name = os.path.split(compose)

    with tempfile.TemporaryDirectory() as tmp:
        report_file = os.path.join(tmp, "report.sarif")
        run = subprocess.run([harden, "--check", "--no-config", "--format", "sarif", "--report", report_file, name],
                             cwd=folder, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            fail(f"harden exited {run.returncode}: {run.stderr}")
        with open(report_file, encoding="utf-8") as f:
            if f.read() != run.stdout:
                fail("--report FILE differs from the report on stdout")
    try:
        log = json.loads(run.stdout)
    except json.JSONDecodeError as e:
        fail(f"the report is not JSON: {e}")

    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        print("schema: /" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message)
    if errors:
        fail(f"{len(errors)} schema violation(s)")

    if log.get("version") != "2.1.0":
        fail("version is not 2.1.0")
    if len(log.get("runs", [])) != 1:
        fail("expected one run")
    run0 = log["runs"][0]
    driver = run0["tool"]["driver"]
    if driver.get("name") != "harden" or not driver.get("version"):
        fail("tool.driver needs name harden and a version")
    rules = driver.get("rules", [])
    if not rules:
        fail("no rules in tool.driver.rules")
    ids = [r["id"] for r in rules]
    if len(set(ids)) != len(ids):
        fail("duplicate rule ids")
    for r in rules:
        for key in ("name", "shortDescription", "fullDescription", "help", "defaultConfiguration"):
            if key not in r:
                fail(f"rule {r['id']} has no {key}")
        if not r["help"].get("text") or not r["shortDescription"].get("text"):
            fail(f"rule {r['id']} has an empty help or shortDescription text")
        if r["defaultConfiguration"].get("level") not in ("error", "warning", "note"):
            fail(f"rule {r['id']} has no default level")

    results = run0.get("results", [])
    if not results:
        fail("no results for the example (it is meant to be insecure)")
    with open(compose, encoding="utf-8") as f:
        original = f.read()
    fixes = 0
    for res in results:
        where = f"result {res.get('ruleId')}"
        if res.get("ruleId") not in ids:
            fail(f"{where}: ruleId is not a rule of the driver")
        if "ruleIndex" in res and ids[res["ruleIndex"]] != res["ruleId"]:
            fail(f"{where}: ruleIndex does not point to its rule")
        if not res.get("message", {}).get("text"):
            fail(f"{where}: no message text")
        locs = res.get("locations", [])
        if not locs:
            fail(f"{where}: no locations")
        phys = locs[0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        if uri != name:
            fail(f"{where}: uri {uri!r} is not the relative path {name!r}")
        region = phys["region"]
        if region.get("startLine", 0) < 1 or region.get("startColumn", 1) < 1:
            fail(f"{where}: bad region {region}")
        for fix in res.get("fixes", []):
            fixes += 1
            for change in fix["artifactChanges"]:
                if change["artifactLocation"]["uri"] != name:
                    fail(f"{where}: fix for another file")
                fixed = apply_replacements(original, change["replacements"])
                if fixed == original:
                    fail(f"{where}: the fix changes nothing")
                try:
                    import yaml
                except ImportError:
                    continue
                try:
                    yaml.safe_load(fixed)
                except yaml.YAMLError as e:
                    fail(f"{where}: the fixed file no longer parses: {e}")
    if fixes == 0:
        fail("no result carries a fix")
    print(f"ok: SARIF 2.1.0 valid; {len(rules)} rules, {len(results)} results, {fixes} fixes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
