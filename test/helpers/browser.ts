// Running a page in headless Chromium against a tiny local server: the server serves chosen files
// of the repository read-only, cross-origin isolated, and records every request, including those
// Chromium sends through it as its proxy, so nothing the browser asks for leaves this machine.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, extname, join, normalize } from "node:path";

/**
 * The Chromium executable (CHROMIUM, else chromium / chromium-browser / google-chrome on PATH), or
 * undefined with a visible SKIP; where CUSTSEG_REQUIRE_SHARED=1 (CI) a missing browser is an error.
 */
export function findChromium(what: string): string | undefined {
  const names = ["chromium", "chromium-browser", "google-chrome"];
  const candidates = process.env.CHROMIUM
    ? [process.env.CHROMIUM]
    : (process.env.PATH ?? "").split(delimiter).flatMap((dir) => names.map((name) => join(dir, name)));
  const found = candidates.find((path) => path && existsSync(path));
  if (found) return found;
  if (process.env.CUSTSEG_REQUIRE_SHARED === "1") {
    throw new Error(`Chromium not found (set CHROMIUM or install the chromium package); CUSTSEG_REQUIRE_SHARED=1 forbids skipping ${what}`);
  }
  console.warn(`SKIP ${what}: Chromium not found (set CHROMIUM or install the chromium package)`);
  return undefined;
}

export interface RequestRecord {
  method: string;
  /** The request target: a path for requests to this server, an absolute URL or host:port when proxied. */
  url: string;
  host: string;
  status: number;
  /** Referer or Origin, set on requests a page makes (Chromium's own requests carry neither). */
  initiator?: string;
}

export interface ServerOptions {
  /** Directory whose files may be served. */
  root: string;
  /** URL path prefixes under root that are served; any other path is 404. */
  allow: readonly string[];
  /** Generated resources by path (pages, scripts, fixtures). */
  routes: Readonly<Record<string, string>>;
  /** The Content-Security-Policy of every response, in place of the default below. */
  csp?: string;
}

export interface TestServer {
  origin: string;
  requests: RequestRecord[];
  /** Content-Security-Policy violation reports the page sent. */
  cspReports: string[];
  /** The body of the first POST /result. */
  result: Promise<string>;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
};

/** COOP + COEP make the page cross-origin isolated (SharedArrayBuffer); the CSP allows only this origin. */
const headers = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; report-uri /csp-report",
  "Cache-Control": "no-store",
};

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Start the server on 127.0.0.1 at a free port. */
export async function startServer(options: ServerOptions): Promise<TestServer> {
  const requests: RequestRecord[] = [];
  const cspReports: string[] = [];
  let deliver!: (text: string) => void;
  const result = new Promise<string>((resolve) => (deliver = resolve));

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = req.url ?? "";
    // Absolute-form targets are proxy requests for other hosts: refused, never forwarded.
    if (!url.startsWith("/")) return 403;
    const path = decodeURIComponent(new URL(url, "http://localhost").pathname);
    if (req.method === "POST" && path === "/result") {
      deliver(await body(req));
      return 204;
    }
    if (req.method === "POST" && path === "/csp-report") {
      cspReports.push(await body(req));
      return 204;
    }
    if (req.method !== "GET") return 405;
    let content: string | Buffer | undefined = options.routes[path];
    if (content === undefined) {
      const file = normalize(path);
      if (file !== path || !options.allow.some((prefix) => file.startsWith(prefix))) return 404;
      try {
        content = await readFile(join(options.root, file));
      } catch {
        return 404;
      }
    }
    res.writeHead(200, { ...headers, ...(options.csp ? { "Content-Security-Policy": options.csp } : {}), "Content-Type": types[extname(path)] ?? "application/octet-stream" });
    res.end(content);
    return 200;
  }

  const server = createServer((req, res) => {
    // Chromium may reset a connection it no longer needs (at shutdown, or a cancelled request):
    // that is no failure of the page, so it must not end the test process as an unhandled error.
    req.on("error", () => {});
    res.on("error", () => {});
    const record: RequestRecord = {
      method: req.method ?? "",
      url: req.url ?? "",
      host: req.headers.host ?? "",
      status: 0,
      initiator: req.headers.referer ?? req.headers.origin,
    };
    requests.push(record);
    respond(req, res).then(
      (status) => {
        record.status = status;
        if (!res.headersSent) res.writeHead(status, headers).end();
      },
      (err: Error) => {
        record.status = 500;
        if (!res.headersSent) res.writeHead(500, headers).end(err.message);
      },
    );
  });
  // HTTPS through the proxy arrives as CONNECT host:443: recorded and refused.
  server.on("connect", (req: IncomingMessage, socket) => {
    socket.on("error", () => {});
    requests.push({ method: "CONNECT", url: req.url ?? "", host: req.headers.host ?? "", status: 403 });
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    cspReports,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Open `url` in headless Chromium (fresh profile, every request through `proxy`) and wait for
 * `done`; the browser is stopped afterwards, or when it exits or `timeoutMs` passes first.
 */
export async function runChromium(chromium: string, url: string, proxy: string, done: Promise<string>, timeoutMs: number): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "custseg-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    `--proxy-server=${proxy}`,
    `--user-data-dir=${profile}`,
    url,
  ];
  // Its own process group, so stopping it also stops its renderer and utility processes.
  const child: ChildProcess = spawn(chromium, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        child.on("error", reject);
        child.on("exit", (code, signal) => reject(new Error(`Chromium exited (${code ?? signal}) before the page finished:\n${stderr}`)));
        timer = setTimeout(() => reject(new Error(`the page did not finish within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
      await exited;
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
