# Renders its page into cache/ at start (and fails if it cannot), then serves it.
import functools
import http.server
import os

os.makedirs("cache/pages", exist_ok=True)
with open("cache/pages/index.html", "w") as f:
    f.write("<h1>cacheweb:e2e</h1>\n")
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="cache/pages")
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), handler).serve_forever()
