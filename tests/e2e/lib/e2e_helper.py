"""Helpers for run.sh that are easier in Python than in bash.

  e2e_helper.py services FILE
      print the service names of a compose file, one per line
  e2e_helper.py items FILE SERVICE
      print "cap NAME" for every cap_add entry and "tmpfs PATH" for every tmpfs
      (short form or volumes entry of type tmpfs) of SERVICE
  e2e_helper.py drop-cap FILE SERVICE CAP [CAP...]
      remove those capabilities from cap_add of SERVICE (CAP_ prefix and case
      ignored); exit 3 if none of them was there
  e2e_helper.py drop-tmpfs FILE SERVICE PATH
      remove every tmpfs of SERVICE that covers PATH (the same path or a parent;
      /var/run and /run are the same); exit 3 if none did
  e2e_helper.py drop-exec FILE SERVICE PATH
      remove the `exec` option from the short-form tmpfs of SERVICE at PATH;
      exit 3 if there is none with `exec`
  e2e_helper.py set-memory FILE SERVICE SIZE
      set mem_limit of SERVICE to SIZE (the default a run without evidence writes)
  e2e_helper.py inspect-checks SERVICE [WRITABLE_PATH...] < docker-inspect-json
      print one "PASS|FAIL<TAB>description" line per hardening property
"""
import json
import sys

import yaml


def norm_path(p):
    p = p.rstrip("/") or "/"
    if p == "/var/run" or p.startswith("/var/run/"):
        p = "/run" + p[len("/var/run"):]
    return p


def covers(mount, path):
    m, p = norm_path(mount), norm_path(path)
    return p == m or m == "/" or p.startswith(m + "/")


def norm_cap(c):
    c = str(c).strip().upper()
    return c[4:] if c.startswith("CAP_") else c


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def save(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, default_flow_style=False)


def service(doc, name):
    svc = (doc.get("services") or {}).get(name)
    if svc is None:
        sys.exit(f"no service {name!r}")
    return svc


def tmpfs_entries(svc):
    """(target, kind, raw) for each tmpfs of a service."""
    out = []
    t = svc.get("tmpfs")
    if isinstance(t, str):
        t = [t]
    for e in t or []:
        out.append((str(e).split(":", 1)[0], "tmpfs", e))
    for v in svc.get("volumes") or []:
        if isinstance(v, dict) and v.get("type") == "tmpfs":
            out.append((v.get("target", ""), "volumes", v))
    return out


def cmd_services(path):
    for name in (load(path).get("services") or {}):
        print(name)


def cmd_items(path, name):
    svc = service(load(path), name)
    for c in svc.get("cap_add") or []:
        print("cap", norm_cap(c))
    for target, _, _ in tmpfs_entries(svc):
        print("tmpfs", target)


def cmd_drop_cap(path, name, caps):
    doc = load(path)
    svc = service(doc, name)
    drop = {norm_cap(c) for c in caps}
    before = list(svc.get("cap_add") or [])
    after = [c for c in before if norm_cap(c) not in drop]
    if len(after) == len(before):
        print(f"none of {sorted(drop)} is in cap_add of {name}: {before}", file=sys.stderr)
        sys.exit(3)
    if after:
        svc["cap_add"] = after
    else:
        svc.pop("cap_add", None)
    save(path, doc)


def cmd_drop_tmpfs(path, name, target):
    doc = load(path)
    svc = service(doc, name)
    removed = []
    t = svc.get("tmpfs")
    if t is not None:
        lst = [t] if isinstance(t, str) else list(t)
        keep = [e for e in lst if not covers(str(e).split(":", 1)[0], target)]
        removed += [e for e in lst if e not in keep]
        if keep:
            svc["tmpfs"] = keep
        else:
            svc.pop("tmpfs", None)
    vols = svc.get("volumes")
    if vols:
        keep = []
        for v in vols:
            if isinstance(v, dict) and v.get("type") == "tmpfs" and covers(v.get("target", ""), target):
                removed.append(v)
            else:
                keep.append(v)
        if keep:
            svc["volumes"] = keep
        else:
            svc.pop("volumes", None)
    if not removed:
        print(f"no tmpfs of {name} covers {target}", file=sys.stderr)
        sys.exit(3)
    save(path, doc)


def cmd_drop_exec(path, name, target):
    doc = load(path)
    svc = service(doc, name)
    t = svc.get("tmpfs")
    lst = [] if t is None else [t] if isinstance(t, str) else list(t)
    changed = False
    out = []
    for e in lst:
        mount, _, opts = str(e).partition(":")
        kept = [o for o in opts.split(",") if o and o != "exec"]
        if norm_path(mount) == norm_path(target) and len(kept) != len([o for o in opts.split(",") if o]):
            changed = True
            e = mount + (":" + ",".join(kept) if kept else "")
        out.append(e)
    if not changed:
        print(f"no tmpfs of {name} at {target} has exec", file=sys.stderr)
        sys.exit(3)
    svc["tmpfs"] = out
    save(path, doc)


def cmd_set_memory(path, name, size):
    doc = load(path)
    svc = service(doc, name)
    if "mem_limit" not in svc:
        print(f"{name} has no mem_limit", file=sys.stderr)
        sys.exit(3)
    svc["mem_limit"] = size
    save(path, doc)


def cmd_inspect_checks(name, writable):
    info = json.load(sys.stdin)[0]
    hc = info.get("HostConfig") or {}
    out = []

    def check(ok, desc):
        out.append(("PASS" if ok else "FAIL", desc))

    capdrop = [norm_cap(c) for c in hc.get("CapDrop") or []]
    capadd = [norm_cap(c) for c in hc.get("CapAdd") or []]
    check("ALL" in capdrop, f"CapDrop has ALL (CapDrop={capdrop}, CapAdd={capadd})")
    check("ALL" not in capadd and not hc.get("Privileged"), "not privileged, no cap_add ALL")
    check(hc.get("ReadonlyRootfs") is True, "ReadonlyRootfs is true")
    secopt = [str(s) for s in hc.get("SecurityOpt") or []]
    nnp = any(
        s.replace("=", ":").lower() in ("no-new-privileges", "no-new-privileges:true", "no-new-privileges:1")
        for s in secopt
    )
    check(nnp, f"SecurityOpt has no-new-privileges ({secopt})")
    check((hc.get("Memory") or 0) > 0, f"memory limit set (Memory={hc.get('Memory') or 0})")
    cpu = (hc.get("NanoCpus") or 0) > 0 or (hc.get("CpuQuota") or 0) > 0
    check(cpu, f"cpu limit set (NanoCpus={hc.get('NanoCpus') or 0}, CpuQuota={hc.get('CpuQuota') or 0})")
    check((hc.get("PidsLimit") or 0) > 0, f"pids limit set (PidsLimit={hc.get('PidsLimit') or 0})")

    tmpfs = list((hc.get("Tmpfs") or {}).keys())
    tmpfs += [m.get("Destination") for m in info.get("Mounts") or [] if m.get("Type") == "tmpfs"]
    mounts = [(m.get("Destination"), m.get("Type"), m.get("RW")) for m in info.get("Mounts") or []]
    check(bool(tmpfs), f"tmpfs present (tmpfs={sorted(set(tmpfs))})")
    for p in writable:
        how = [t for t in tmpfs if covers(t, p)]
        how += [f"{d}({ty})" for d, ty, rw in mounts if ty != "tmpfs" and rw and covers(d, p)]
        check(bool(how), f"{p} writable under read_only (via {how or 'nothing'})")
    for status, desc in out:
        print(f"{status}\t{desc}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "services":
        cmd_services(args[0])
    elif cmd == "items":
        cmd_items(args[0], args[1])
    elif cmd == "drop-cap":
        cmd_drop_cap(args[0], args[1], args[2:])
    elif cmd == "drop-tmpfs":
        cmd_drop_tmpfs(args[0], args[1], args[2])
    elif cmd == "drop-exec":
        cmd_drop_exec(args[0], args[1], args[2])
    elif cmd == "set-memory":
        cmd_set_memory(args[0], args[1], args[2])
    elif cmd == "inspect-checks":
        cmd_inspect_checks(args[0], args[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
