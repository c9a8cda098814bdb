"""Tiny stand-in for `caddy run`: reads the site address and root from a
Caddyfile, saves the config to $XDG_CONFIG_HOME/caddy/autosave.json and an
instance id to $XDG_DATA_HOME/caddy/instance.uuid (as caddy does; failures
there are logged, not fatal), then serves files over HTTP."""
import functools
import http.server
import json
import os
import re
import sys
import uuid


def log(msg):
    print(json.dumps({"level": "info", "logger": "caddy-e2e", "msg": msg}), flush=True)


def parse_caddyfile(path):
    port, root = 80, "/usr/share/caddy"
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"^(?:[\w.-]*):(\d+)\s*\{?$", line)
            if m:
                port = int(m.group(1))
            m = re.match(r"^root\s+\*\s+(\S+)$", line)
            if m:
                root = m.group(1)
    return port, root


def save_state(port, root):
    cfg = os.environ.get("XDG_CONFIG_HOME", "/config")
    data = os.environ.get("XDG_DATA_HOME", "/data")
    try:
        os.makedirs(os.path.join(cfg, "caddy"), exist_ok=True)
        with open(os.path.join(cfg, "caddy", "autosave.json"), "w", encoding="utf-8") as f:
            json.dump({"apps": {"http": {"servers": {"srv0": {"listen": [f":{port}"], "root": root}}}}}, f)
    except OSError as e:
        log(f"unable to autosave config: {e}")
    try:
        os.makedirs(os.path.join(data, "caddy"), exist_ok=True)
        p = os.path.join(data, "caddy", "instance.uuid")
        if not os.path.exists(p):
            with open(p, "w", encoding="utf-8") as f:
                f.write(str(uuid.uuid4()))
    except OSError as e:
        log(f"unable to write instance id: {e}")


def main(argv):
    config = "/etc/caddy/Caddyfile"
    if "--config" in argv:
        config = argv[argv.index("--config") + 1]
    port, root = parse_caddyfile(config)
    save_state(port, root)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("", port), handler)
    log(f"serving {root} on :{port} (uid {os.getuid()})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("shutting down")


if __name__ == "__main__":
    main(sys.argv[1:])
