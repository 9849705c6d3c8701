// The mock's AK/SK verifier (tests/mock/aksk.mjs), tied to the official
// Huawei Cloud SDK: it must accept what the SDK signs, offline on the
// checked-in vectors and over HTTP on requests the SDK signs for this very
// mock (tests/sign/official.py, in the virtual environment `make test-sign`
// sets up), and refuse unsigned, tampered and stale requests with 401
// APIG.0301.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startMock } from "../mock/server.mjs";
import {
  DEMO_CREDENTIALS,
  DEMO_TEMPORARY_CREDENTIALS,
  MAX_SKEW_MS,
  canonicalRequest,
  formatSdkDate,
  parseSdkDate,
  signHeaders,
  verifyAkSk,
} from "../mock/aksk.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VECTORS = readFileSync(`${ROOT}tests/fixtures/sign-official.jsonl`, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));

/** The official SDK's signer, when its virtual environment is there. */
const PYTHON = process.env.CPH_SIGN_PYTHON ?? `${ROOT}.tmp/venv/bin/python`;
const SDK_MISSING = !existsSync(PYTHON) || spawnSync(PYTHON, ["-c", "import huaweicloudsdkcore"]).status !== 0
  ? `the official SDK is not installed at ${PYTHON}; \`make test-sign\` installs it`
  : false;

/** Signs requests with the official SDK (tests/sign/official.py sign). */
function sdkSign(requests) {
  const input = requests.map((r) => JSON.stringify(r)).join("\n");
  const run = spawnSync(PYTHON, [`${ROOT}tests/sign/official.py`, "sign"], { input, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** A vector's request as node:http hands it to the mock. */
function received(vector) {
  const headers = {};
  for (const [name, value] of [...vector.headers, ...vector.added]) {
    // On the wire the SDK sends trimmed values as UTF-8 bytes; node reads bytes as Latin-1.
    headers[name.toLowerCase()] = Buffer.from(value.trim(), "utf8").toString("latin1");
  }
  return { method: vector.method, url: vector.sdk_uri, headers };
}

const keysOf = (v) => [{ accessKey: v.access_key, secretKey: v.secret_key, securityToken: v.security_token ?? undefined }];

describe("offline, on the official SDK's checked-in vectors", () => {
  test("builds the SDK's canonical request", () => {
    for (const v of VECTORS) {
      const { method, url, headers } = received(v);
      for (const [name, value] of Object.entries(headers)) headers[name] = Buffer.from(value, "latin1").toString("utf8");
      const signedHeaders = v.added.find(([n]) => n === "Authorization")[1].match(/SignedHeaders=([^,]+)/)[1].split(";");
      const body = Buffer.from(v.body_hex, "hex");
      assert.equal(canonicalRequest({ method, url, headers, signedHeaders, body }), v.canonical_request, v.id);
    }
  });

  test("accepts every SDK signature, and nothing once a byte changes", () => {
    assert.ok(VECTORS.length >= 30);
    for (const v of VECTORS) {
      const nowMs = parseSdkDate(v.sdk_date);
      const body = Buffer.from(v.body_hex, "hex");
      const options = { nowMs, keys: keysOf(v), body };
      assert.equal(verifyAkSk(received(v), options), null, v.id);

      const wrongQuery = received(v);
      wrongQuery.url += wrongQuery.url.includes("?") ? "&extra=1" : "?extra=1";
      assert.match(verifyAkSk(wrongQuery, options), /verify aksk signature fail/, v.id);
      const wrongDate = received(v);
      wrongDate.headers["x-sdk-date"] = formatSdkDate(nowMs + 1000);
      assert.match(verifyAkSk(wrongDate, { ...options, nowMs: nowMs + 1000 }), /verify aksk signature fail/, v.id);
      if (body.length > 0 && !v.canonical_request.endsWith("UNSIGNED-PAYLOAD")) {
        assert.match(verifyAkSk(received(v), { ...options, body: Buffer.concat([body, Buffer.from("x")]) }), /verify aksk signature fail/, v.id);
      }
    }
  });
});

describe("over HTTP against the mock", () => {
  let mock;
  before(async () => {
    mock = await startMock({ timeScale: 0.01 });
  });
  after(() => mock.close());

  const host = () => new URL(mock.url).host;
  const path = "/v1/proj_1/cloud-phone/jobs";
  const request = (credentials, sdkDate, query = [["request_id", "demo-aksk"]]) => ({
    id: "mock",
    method: "GET",
    scheme: "http",
    host: host(),
    path,
    query,
    headers: [["Accept", "application/json"]],
    body_hex: "",
    sdk_date: sdkDate,
    access_key: credentials.accessKey,
    secret_key: credentials.secretKey,
    security_token: credentials.securityToken ?? null,
  });

  /** Sends a signed request with fetch; `change` may tamper with it first. */
  async function send(signed, change = (r) => r) {
    const headers = Object.fromEntries([...signed.headers, ...signed.added].filter(([name]) => name !== "Host"));
    const { url, headers: sent } = change({ url: signed.sdk_uri, headers });
    const res = await fetch(`${mock.url}${url}`, { headers: sent });
    return { status: res.status, body: await res.json() };
  }

  /**
   * Signed requests, dated now or `offsetMs` away: by the SDK when it is
   * installed (in one run, as it takes a while to start), else by aksk.mjs.
   */
  function signNow(list) {
    const now = Date.now();
    const requests = list.map(([credentials, offsetMs = 0, query]) => request(credentials, formatSdkDate(now + offsetMs), query));
    if (!SDK_MISSING) return sdkSign(requests);
    return requests.map((r) => {
      const url = `${path}?${r.query.map(([k, v]) => `${k}=${v}`).join("&")}`;
      const credentials = { accessKey: r.access_key, secretKey: r.secret_key, securityToken: r.security_token ?? undefined };
      const added = signHeaders({ method: "GET", url, host: host(), headers: { accept: "application/json" }, credentials, sdkDate: r.sdk_date });
      return { ...r, sdk_uri: url, added: Object.entries(added) };
    });
  }

  let permanent, temporary, nearlyStale, paged, stalePast, staleFuture;
  before(() => {
    [permanent, temporary, nearlyStale, paged, stalePast, staleFuture] = signNow([
      [DEMO_CREDENTIALS],
      [DEMO_TEMPORARY_CREDENTIALS],
      [DEMO_CREDENTIALS, -MAX_SKEW_MS + 60_000],
      [DEMO_CREDENTIALS, 0, [["request_ids", "demo-a,demo-b"], ["limit", "5"], ["offset", "0"]]],
      [DEMO_CREDENTIALS, -16 * 60_000],
      [DEMO_CREDENTIALS, 16 * 60_000],
    ]);
  });

  test("accepts requests the official SDK signed, with permanent and temporary keys", { skip: SDK_MISSING }, async () => {
    assert.ok(temporary.added.some(([name]) => name === "X-Security-Token"));
    for (const signed of [permanent, temporary, nearlyStale, paged]) {
      const { status, body } = await send(signed);
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(Array.isArray(body.jobs));
    }
  });

  test("refuses an unsigned request", async () => {
    const res = await fetch(`${mock.url}${path}?request_id=demo-aksk`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error_code, "APIG.0301");
  });

  test("refuses tampered requests", async () => {
    const signed = permanent;
    assert.equal((await send(signed)).status, 200, "the untampered request passes");
    const tamperings = {
      "another query": (r) => ({ ...r, url: r.url.replace("demo-aksk", "demo-other") }),
      "an added parameter": (r) => ({ ...r, url: `${r.url}&limit=1` }),
      "another path": (r) => ({ ...r, url: r.url.replace("proj_1", "proj_2") }),
      "a changed signed header": (r) => ({ ...r, headers: { ...r.headers, Accept: "text/plain" } }),
      "a dropped signed header": (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([n]) => n !== "Accept")) }),
      "another signature": (r) => ({ ...r, headers: { ...r.headers, Authorization: r.headers.Authorization.replace(/.$/, (c) => (c === "0" ? "1" : "0")) } }),
      "an unknown access key": (r) => ({ ...r, headers: { ...r.headers, Authorization: r.headers.Authorization.replace(DEMO_CREDENTIALS.accessKey, "UNKNOWNACCESSKEY0009") } }),
      "a malformed Authorization": (r) => ({ ...r, headers: { ...r.headers, Authorization: "SDK-HMAC-SHA256 Access=x" } }),
    };
    for (const [name, change] of Object.entries(tamperings)) {
      const { status, body } = await send(signed, change);
      assert.equal(status, 401, name);
      assert.equal(body.error_code, "APIG.0301", name);
      assert.match(body.error_msg, /^Incorrect IAM authentication information: /, name);
      assert.ok(!body.error_msg.includes(DEMO_CREDENTIALS.secretKey), name);
    }
  });

  test("refuses temporary keys without their security token", async () => {
    const signed = temporary;
    assert.equal((await send(signed)).status, 200);
    const without = signed.added.filter(([name]) => name !== "X-Security-Token");
    const { status, body } = await send({ ...signed, added: without });
    assert.equal(status, 401);
    assert.equal(body.error_code, "APIG.0301");
  });

  test("refuses a date more than 15 minutes off, either way", async () => {
    for (const signed of [stalePast, staleFuture]) {
      const { status, body } = await send(signed);
      assert.equal(status, 401, signed.sdk_date);
      assert.equal(body.error_code, "APIG.0301");
      assert.match(body.error_msg, /expired/);
    }
  });

  test("still takes an IAM token when the request is not signed", async () => {
    const res = await fetch(`${mock.url}${path}?request_id=demo-aksk`, { headers: { "X-Auth-Token": "tok-abcdef123456" } });
    assert.equal(res.status, 200);
  });
});
