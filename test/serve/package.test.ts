// What the Dockerfile does, without a Docker engine: pack the tarball, install it in a fresh
// directory with `npm ci --omit=dev` as an unprivileged user (offline, from the local npm cache,
// standing in for the image's network), start serve the way the image's CMD does (--host 0.0.0.0,
// port from AIP_HTTP_PORT), and run the image's HEALTHCHECK command against it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { smallModel } from "../helpers/serve.js";
import { repoRoot } from "../helpers/shared.js";

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const npmCache = join(homedir(), ".npm", "_cacache");
// Root switches to `nobody` as the image switches to `node`; anyone else already is unprivileged.
const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];

let tmp = "";

test.before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "custseg-package-"));
  await chmod(tmp, 0o755);
});

test.after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function run(cmd: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 15 * 60_000) {
  const argv = [...asUser, ...cmd];
  const res = spawnSync(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout });
  return { status: res.status, out: `${res.stdout ?? ""}${res.stderr ?? ""}${res.error ? String(res.error) : ""}` };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

test("the Dockerfile's steps: tarball → npm ci --omit=dev as non-root → serve on 0.0.0.0:AIP_HTTP_PORT → HEALTHCHECK passes", async () => {
  if (!existsSync(npmCache)) {
    console.warn(`SKIP the package install: no npm cache at ${npmCache} to install from offline`);
    return;
  }
  // The Dockerfile's own commands, so that this test follows it when it changes.
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /^USER node$/m);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  const healthcheck = /^HEALTHCHECK .*? CMD (.*)$/m.exec(dockerfile)![1]!;

  const pack = spawnSync("npm", ["pack", "--pack-destination", tmp, "--silent"], { cwd: repoRoot, encoding: "utf8" });
  assert.is(pack.status, 0, pack.stderr);
  const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"))!;
  const app = join(tmp, "app");
  await mkdir(app);
  assert.is(spawnSync("tar", ["-xzf", join(tmp, tarball), "--strip-components=1", "-C", app]).status, 0);
  assert.is(spawnSync("cp", [join(repoRoot, "package-lock.json"), app]).status, 0);
  await mkdir(join(tmp, "npm"));
  assert.is(spawnSync("cp", ["-r", npmCache, join(tmp, "npm", "_cacache")]).status, 0);
  const model = (await smallModel(tmp)).path;
  if (asUser.length > 0) assert.is(spawnSync("chown", ["-R", "65534:65534", tmp]).status, 0);

  const home = join(tmp, "npm");
  // The one install script is better-sqlite3's, which downloads its native addon (or node's headers to
  // build it): no network here, so scripts are skipped and the addon the repository's own install
  // fetched for this platform is put where that script would have put it.
  const install = run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--offline", "--ignore-scripts", "--cache", home], app, { HOME: home, npm_config_cache: home });
  assert.is(install.status, 0, install.out);
  const addon = join("node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node");
  if (existsSync(join(app, "node_modules", "better-sqlite3")) && existsSync(join(repoRoot, addon))) {
    await mkdir(join(app, addon, ".."), { recursive: true });
    assert.is(spawnSync("cp", [join(repoRoot, addon), join(app, addon)]).status, 0);
    if (asUser.length > 0) assert.is(spawnSync("chown", ["-R", "65534:65534", join(app, "node_modules", "better-sqlite3")]).status, 0);
    const sqlite = run([process.execPath, "-e", "require('better-sqlite3')(':memory:').prepare('select 1').get()"], app, { HOME: home });
    assert.is(sqlite.status, 0, sqlite.out);
  }
  assert.ok(existsSync(join(app, "node_modules", "fastify")), "production dependencies installed");
  assert.not.ok(existsSync(join(app, "node_modules", "typescript")), "no development dependencies");

  const port = await freePort();
  const argv = [...asUser, process.execPath, ...cmd.slice(1).map((a) => (a === "/model/model.json" ? model : a))];
  const env = { ...process.env, HOME: home, NODE_ENV: "production", AIP_HTTP_PORT: String(port) };
  const server = spawn(argv[0]!, argv.slice(1), { cwd: app, env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((r) => server.on("exit", (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      server.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (/on http:\/\/0\.0\.0\.0:\d+;/.test(err)) resolve();
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}): ${err}`)));
    });
    assert.match(err, new RegExp(`on http://0\\.0\\.0\\.0:${port};`));
    const check = spawnSync("sh", ["-c", healthcheck], { env: { ...process.env, AIP_HTTP_PORT: String(port) }, encoding: "utf8", timeout: 30_000 });
    assert.is(check.status, 0, `HEALTHCHECK failed: ${check.stderr}`);
    const r = await fetch(`http://127.0.0.1:${port}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"instances":[[0,0]]}' });
    assert.is(r.status, 400, "the installed server validates as the repository's does");
  } finally {
    server.kill("SIGTERM");
  }
  assert.is(await exited, 0);
  // Stopped, the same check fails: it really probes the server.
  const after = spawnSync("sh", ["-c", healthcheck], { env: { ...process.env, AIP_HTTP_PORT: String(port) }, timeout: 30_000 });
  assert.is(after.status, 1);
});

test.run();
