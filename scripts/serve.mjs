#!/usr/bin/env node
// A tiny static server for www/ (no dependency): 127.0.0.1, port from PORT (default 8080; 0 picks
// a free port), correct MIME types (application/wasm for .wasm), a Content-Security-Policy that
// forbids requests to any other host and inline scripts (but a page's import map, by its hash), and
// no caching surprises (every response is revalidated).
// Prints "Eligo is served at http://127.0.0.1:PORT/" once it listens.
import crypto from "node:crypto";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, "../www"));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? "127.0.0.1";

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

// A page's inline import map (the citizen page's pins every module's hash: scripts/pin-page.mjs) is
// the one inline script allowed, by its sha256, as the page's own CSP allows it; a deployment's
// server does the same with the hash scripts/build-web.sh prints.
function cspFor(file) {
  if (!file.endsWith(".html")) return CSP;
  const maps = [...fs.readFileSync(file, "utf8").matchAll(/<script type="importmap">([^<]*)<\/script>/g)];
  const hashes = maps.map((m) => `'sha256-${crypto.createHash("sha256").update(m[1]).digest("base64")}'`);
  return CSP.replace("script-src 'self' 'wasm-unsafe-eval'", (src) => [src, ...hashes].join(" "));
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".rules": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

function headers(file, type, size, mtime) {
  return {
    "Content-Type": type,
    "Content-Length": size,
    "Cache-Control": "no-cache",
    "Last-Modified": mtime.toUTCString(),
    "Content-Security-Policy": cspFor(file),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
  };
}

function send(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Security-Policy": CSP, "Cache-Control": "no-store" });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
  } catch {
    return send(res, 400, "bad request");
  }
  let file = path.join(root, pathname);
  if (!file.startsWith(root)) return send(res, 403, "forbidden");
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) {
      if (!pathname.endsWith("/")) {
        res.writeHead(301, { Location: pathname + "/", "Content-Security-Policy": CSP });
        return res.end();
      }
      file = path.join(file, "index.html");
      stat = fs.existsSync(file) ? fs.statSync(file) : null;
      // The citizen page is generated from its template, with its scripts and keys pinned.
      if (!stat && fs.existsSync(path.join(path.dirname(file), "index.in.html"))) {
        return send(res, 404, "This page has not been built: run scripts/build-web.sh (it writes index.html from index.in.html).\n本页面尚未生成：请运行 scripts/build-web.sh。");
      }
    }
    if (error || !stat || !stat.isFile()) return send(res, 404, "not found");
    const type = TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
    if (req.headers["if-modified-since"] && new Date(req.headers["if-modified-since"]) >= new Date(stat.mtime.toUTCString())) {
      res.writeHead(304, { "Cache-Control": "no-cache", "Content-Security-Policy": CSP });
      return res.end();
    }
    res.writeHead(200, headers(file, type, stat.size, stat.mtime));
    if (req.method === "HEAD") return res.end();
    fs.createReadStream(file).pipe(res);
  });
});

server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`Eligo is served at http://${host}:${actual}/  (playground: /playground/, embedding example: /embed/)`);
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
