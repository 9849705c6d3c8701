// AK/SK verification for the mock CPH service: recomputes the SDK-HMAC-SHA256
// signature of a received request, as API Gateway does, with node:crypto and
// no dependencies. tests/js/aksk.test.mjs ties it to the official SDK's output.
//
// The canonical request follows the official SDKs' signer: method, canonical
// URI (path %-decoded, each segment re-encoded keeping A-Z a-z 0-9 - . _ ~, a
// trailing "/"), query sorted by decoded name then value, the signed headers
// as "name:trimmed value" lines, the signed header list, the body's SHA-256.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The demo key pair the mock accepts. Not a secret: it works nowhere else. */
export const DEMO_CREDENTIALS = Object.freeze({
  accessKey: "MOCKACCESSKEY0000001",
  secretKey: "mock-secret-key-0000000000000000000001",
});

/** Demo temporary credentials: accepted only with their X-Security-Token. */
export const DEMO_TEMPORARY_CREDENTIALS = Object.freeze({
  accessKey: "MOCKTEMPORARYKEY0002",
  secretKey: "mock-temporary-secret-key-000000000002",
  securityToken: "mock-security-token-gQpjbi1ub3J0aC00-0002",
});

/** How far X-Sdk-Date may be from the mock's clock, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const AUTHORIZATION_RE = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$/;
const SDK_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// Python's str.strip() set, which the SDKs trim header values with.
const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const lossy = new TextDecoder("utf-8");
const strict = new TextDecoder("utf-8", { fatal: true });

/** Python's quote(text, safe='~'): every UTF-8 byte but A-Z a-z 0-9 - . _ ~ as %XX. */
export function uriEncode(text) {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Python's unquote(): each ASCII run decoded to bytes, read as UTF-8 with U+FFFD. */
function unquote(text) {
  let out = "";
  let run = [];
  const flush = () => {
    out += lossy.decode(Uint8Array.from(run));
    run = [];
  };
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      flush();
      out += text[i++];
    } else if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      run.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      run.push(code);
      i++;
    }
  }
  flush();
  return out;
}

/** The canonical URI of a raw request path. */
export function canonicalUri(path) {
  const uri = unquote(path || "/").split("/").map(uriEncode).join("/");
  return uri.endsWith("/") ? uri : `${uri}/`;
}

function percentDecode(text) {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw new Error("the query has a broken %-escape");
  const bytes = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === "%") {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(...Buffer.from(text[i++], "utf8"));
    }
  }
  try {
    return strict.decode(Uint8Array.from(bytes));
  } catch {
    throw new Error("the query's %-escapes are not UTF-8");
  }
}

/** [name, value] pairs of a raw query string; '+' stays '+', as the SDKs send %20. */
export function decodeQuery(query) {
  return query
    .split("&")
    .filter((piece) => piece !== "")
    .map((piece) => {
      const eq = piece.indexOf("=");
      return eq < 0 ? [percentDecode(piece), ""] : [percentDecode(piece.slice(0, eq)), percentDecode(piece.slice(eq + 1))];
    });
}

// Code point order, as Python sorts: UTF-8 bytes compare that way, UTF-16 units do not.
const byCodePoint = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/** The canonical query string of decoded pairs. */
export function canonicalQuery(pairs) {
  return [...pairs]
    .sort((a, b) => byCodePoint(a[0], b[0]) || byCodePoint(a[1], b[1]))
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .join("&");
}

/**
 * The canonical request.
 * @param {{method: string, url: string, headers: Record<string, string>, signedHeaders: string[], body?: Uint8Array}} request
 *   `url` is the raw path and query as received; `headers` maps lower-case names to values.
 */
export function canonicalRequest({ method, url, headers, signedHeaders, body = new Uint8Array() }) {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q + 1);
  const lines = signedHeaders.map((name) => `${name}:${String(headers[name]).replace(TRIM_RE, "")}\n`).join("");
  let payloadHash = EMPTY_BODY_SHA256;
  if (body.length > 0) {
    const declared = (headers["x-sdk-content-sha256"] ?? "").replace(TRIM_RE, "");
    payloadHash = declared || createHash("sha256").update(body).digest("hex");
  }
  return [method.toUpperCase(), canonicalUri(path), canonicalQuery(decodeQuery(query)), lines, signedHeaders.join(";"), payloadHash].join("\n");
}

/** The string to sign for a canonical request. */
export function stringToSign(sdkDate, canonical) {
  return `SDK-HMAC-SHA256\n${sdkDate}\n${createHash("sha256").update(canonical, "utf8").digest("hex")}`;
}

/** UNIX milliseconds of an X-Sdk-Date, or NaN. */
export function parseSdkDate(text) {
  const m = SDK_DATE_RE.exec(text ?? "");
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  return back.getUTCDate() === day && back.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60 ? ms : NaN;
}

/** An X-Sdk-Date for UNIX milliseconds. */
export function formatSdkDate(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/**
 * Node hands header bytes over as Latin-1 text. The SDKs send UTF-8, so a
 * value whose bytes are UTF-8 is read as such; fetch sends Latin-1 text as
 * single bytes, which then stays as it is.
 */
function headerText(value) {
  try {
    return strict.decode(Buffer.from(value, "latin1"));
  } catch {
    return value;
  }
}

/** Whether a request claims AK/SK signing (rather than carrying a token). */
export function isAkSkSigned(req) {
  return (req.headers.authorization ?? "").startsWith("SDK-HMAC-SHA256 ");
}

/**
 * Verifies an AK/SK-signed request.
 * @param {{method: string, url: string, headers: Record<string, string | string[] | undefined>}} req  a node:http IncomingMessage or the like
 * @param {{body?: Uint8Array, nowMs?: number, keys?: Array<{accessKey: string, secretKey: string, securityToken?: string}>}} [options]
 * @returns {string | null} null when the signature holds, else why it was refused (as an APIG.0301 message)
 */
export function verifyAkSk(req, { body = new Uint8Array(), nowMs = Date.now(), keys = [DEMO_CREDENTIALS, DEMO_TEMPORARY_CREDENTIALS] } = {}) {
  const refuse = (why) => `Incorrect IAM authentication information: ${why}`;
  const m = AUTHORIZATION_RE.exec(req.headers.authorization ?? "");
  if (!m) return refuse("the Authorization header is not SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...");
  const [, accessKey, signedList, claimed] = m;
  const key = keys.find((k) => k.accessKey === accessKey);
  if (!key) return refuse("ak not found");
  const signedHeaders = signedList.split(";");
  const sorted = [...signedHeaders].sort();
  if (signedHeaders.some((name, i) => name !== sorted[i] || name !== name.toLowerCase())) return refuse("SignedHeaders must be lower case and sorted");
  for (const required of ["host", "x-sdk-date", ...(key.securityToken ? ["x-security-token"] : [])]) {
    if (!signedHeaders.includes(required)) return refuse(`${required} must be signed`);
  }
  const headers = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return refuse(`the signed header ${name} is missing`);
    headers[name] = headerText(Array.isArray(value) ? value.join(", ") : value);
  }
  if (key.securityToken && headers["x-security-token"] !== key.securityToken) return refuse("the security token does not belong to this ak");
  const sdkDate = headers["x-sdk-date"];
  const signedAt = parseSdkDate(sdkDate);
  if (Number.isNaN(signedAt)) return refuse("x-sdk-date is not YYYYMMDDTHHMMSSZ");
  if (Math.abs(nowMs - signedAt) > MAX_SKEW_MS) return refuse("x-sdk-date is more than 15 minutes off; the request has expired");
  let canonical;
  try {
    canonical = canonicalRequest({ method: req.method, url: req.url, headers, signedHeaders, body });
  } catch (err) {
    return refuse(err.message);
  }
  const expected = createHmac("sha256", Buffer.from(key.secretKey, "utf8")).update(stringToSign(sdkDate, canonical), "utf8").digest();
  return timingSafeEqual(expected, Buffer.from(claimed, "hex")) ? null : refuse("verify aksk signature fail");
}

/**
 * Signs a request the way verifyAkSk() checks it: the headers to add
 * (X-Sdk-Date, Host, X-Security-Token, Authorization). For tests that need a
 * valid request to tamper with; acceptance itself is tested with requests
 * signed by the official SDK.
 * @param {{method: string, url: string, host: string, headers?: Record<string, string>, credentials?: {accessKey: string, secretKey: string, securityToken?: string}, sdkDate?: string}} request
 *   `url` is the path and query; `headers` are the other headers to sign, by lower-case name.
 */
export function signHeaders({ method, url, host, headers = {}, credentials = DEMO_CREDENTIALS, sdkDate = formatSdkDate(Date.now()) }) {
  const added = { "X-Sdk-Date": sdkDate, Host: host };
  if (credentials.securityToken) added["X-Security-Token"] = credentials.securityToken;
  const all = { ...headers };
  for (const [name, value] of Object.entries(added)) all[name.toLowerCase()] = value;
  const signedHeaders = Object.keys(all).filter((name) => !name.includes("_")).sort();
  const canonical = canonicalRequest({ method, url, headers: all, signedHeaders });
  const signature = createHmac("sha256", Buffer.from(credentials.secretKey, "utf8")).update(stringToSign(sdkDate, canonical), "utf8").digest("hex");
  added.Authorization = `SDK-HMAC-SHA256 Access=${credentials.accessKey}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
  return added;
}
