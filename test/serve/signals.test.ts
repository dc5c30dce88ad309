// `custseg serve` as a real process: SIGHUP reloads the model without dropping a request and refuses
// a bad one (the old model stays); SIGTERM drains in-flight requests and flushes the log.
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, hammer, reloadUnderLoad, spawnServe, twoModels, waitFor } from "../helpers/serve.js";

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
