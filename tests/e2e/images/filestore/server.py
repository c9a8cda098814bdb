# Writes its pid file and a mark in its data folder, then serves the data.
import functools
import http.server
import os

with open("/var/run/store/server.pid", "w") as f:
    f.write(str(os.getpid()))
with open("/var/lib/store/started", "w") as f:
    f.write("ok")
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="/var/lib/store")
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), handler).serve_forever()
