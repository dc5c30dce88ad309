// `custseg serve` as a real process: SIGHUP reloads the model without dropping a request and refuses
// a bad one (the old model stays); a SIGHUP that comes while the server starts does not stop it;
// SIGTERM drains in-flight requests and flushes the log.
import type { ChildProcess } from "node:child_process";
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { catches, get, hammer, once, reloadUnderLoad, spawnServe, twoModels, waitFor } from "../helpers/serve.js";

let tmp = "";
let modelA = "";
let modelB = "";

test.before(async () => {
  ({ tmp, modelA, modelB } = await twoModels("signals"));
});

test.after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test("SIGHUP: a bad model is refused and the old one kept; a good one replaces it; no request fails", async () => {
  const live = join(tmp, "live.json");
  await copyFile(modelA, live);
  const s = await spawnServe(["--model", live, "--log", "off"]);
  try {
    await reloadUnderLoad(s, live, modelA, modelB, async () => [(await get(`${s.url}/metadata`)).body.id]);
  } finally {
    s.child.kill("SIGTERM");
    await s.exited;
  }
});

/**
 * SIGHUP to `child` as soon as it has a handler for it (before that, the signal's default action
 * ends any process); resolves with stderr at that moment, or null if the process ended first.
 */
function hangUpOnceCaught(child: ChildProcess, stderr: () => string): Promise<string | null> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        resolve(null);
      } else if (catches(child.pid!, "SIGHUP")) {
        clearInterval(poll);
        const before = stderr();
        child.kill("SIGHUP");
        resolve(before);
      }
    }, 2);
  });
}

for (const workers of ["1", "2"]) {
  test(`SIGHUP while the server starts (--workers ${workers}): it comes up and answers, and reloads the model once started`, async () => {
    let hungUp!: Promise<string | null>;
    const s = await spawnServe(["--model", modelA, "--log", "off", "--workers", workers], {}, (child, stderr) => (hungUp = hangUpOnceCaught(child, stderr)));
    try {
      const before = await hungUp;
      assert.ok(before !== null, "the process ended before it took a SIGHUP");
      assert.not.match(before, / on http:/, "the SIGHUP came before the server listened");
      const meta = await get(`${s.url}/metadata`);
      const p = meta.body.inputs.components.length;
      assert.is((await once(`${s.url}/predict`, "POST", { instances: [Array(p).fill(0.5)] })).status, 200);
      await waitFor("the reload", () => /reloaded: now serving/.test(s.stderr()));
      const after = s.stderr().slice(s.stderr().indexOf(" on http:"));
      assert.is(after.match(new RegExp(`reloaded: now serving model ${meta.body.id}\n`, "g"))?.length, 1, s.stderr());
    } finally {
      s.child.kill("SIGTERM");
      await s.exited;
    }
  });
}

test("SIGTERM: in-flight requests finish, the log holds a line for every prediction answered, exit 0", async () => {
  const log = join(tmp, "drain.jsonl");
  const s = await spawnServe(["--model", modelA, "--log", log]);
  const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
  let stopLoad!: () => void;
  const load = hammer(s.url, p, 8, new Promise<void>((r) => (stopLoad = r)));
  await waitFor("some traffic", async () => (await get(`${s.url}/metrics`)).text.includes('route="/predict",status="200"'));
  s.child.kill("SIGTERM");
  const code = await s.exited;
  stopLoad();
  const statuses = await load;
  assert.is(code, 0);
  assert.match(s.stderr(), /SIGTERM: draining/);
  const ok = statuses.filter((x) => x === 200).length;
  assert.ok(ok > 0);
  // Refused connections after the listener closed are expected; an answered request is never an error.
  assert.ok(statuses.every((x) => x === 200 || x === -1 || x === 503), String([...new Set(statuses)]));
  const lines = (await readFile(log, "utf8")).split("\n").filter((l) => l !== "").length;
  assert.is(lines, ok * 10);
});

test("a model that cannot be loaded at start: one line, exit code 1, nothing listening", async () => {
  const bad = join(tmp, "bad.json");
  await writeFile(bad, '{"format":"custseg-model/9"}');
  const failure = await spawnServe(["--model", bad]).then(
    () => "listening",
    (err: Error) => err.message,
  );
  assert.match(failure, /exited \(1\) before listening: custseg: .*bad\.json.*custseg-model\/9/);
});

test.run();
