"""Signs requests with the official Huawei Cloud SDK core (huaweicloudsdkcore,
pinned in requirements.txt beside this file): the reference that the Rust
signer (src/sign.rs) and the mock service's verifier (tests/mock/aksk.mjs)
are checked against.

    official.py generate [--seed N] [--count N]
        N seeded random requests, signed, as JSON lines on stdout.
    official.py sign
        Signs the requests read as JSON lines on stdin, same output.

A request is {"method", "scheme", "host", "path", "query": [[name, value]],
"headers": [[name, value]], "body_hex", "sdk_date", "access_key",
"secret_key", "security_token"}: "path" is the resource path as sent on the
wire (already %-encoded), "query" the decoded parameters, and "headers" the
request's headers before signing. The output adds what the SDK made of it:
"added" (the headers it set: X-Sdk-Date, Host, X-Security-Token,
X-Sdk-Content-Sha256, Authorization), "canonical_request" and "sdk_uri" (the
path and query the SDK sends). Generated requests also carry "url": the same
request written as an absolute URL in a looser way than the SDK's (mixed
escapes, raw characters, upper-case host, default port), which our signer
must read to the same signature.
"""

import argparse
import json
import random
import sys
from datetime import datetime, timezone
from urllib.parse import quote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

# The canonical request is internal to the signer; wrap the SDK's own method
# to see it, so a mismatch can be shown part by part.
_captured = []
_canonical_request = Signer._process_canonical_request


def _capture(self, request, signed_headers):
    text = _canonical_request(self, request, signed_headers)
    _captured.append(text)
    return text


Signer._process_canonical_request = _capture


def sign(request):
    """Signs one request with the SDK, as its clients do, and returns it with
    the SDK's results added."""
    credentials = BasicCredentials(request["access_key"], request["secret_key"])
    if request.get("security_token") is not None:
        credentials.with_security_token(request["security_token"])
    headers = {name: value for name, value in request["headers"]}
    # A fixed X-Sdk-Date: the SDK signs with the one a request already has.
    headers["X-Sdk-Date"] = request["sdk_date"]
    given = set(headers)
    sdk_request = SdkRequest(
        method=request["method"],
        schema=request["scheme"],
        host=request["host"],
        resource_path=request["path"],
        query_params=[(name, value) for name, value in request["query"]],
        header_params=headers,
        body=bytes.fromhex(request["body_hex"]),
    )
    _captured.clear()
    signed = credentials.sign_request(sdk_request)
    out = dict(request)
    out["added"] = [[name, value] for name, value in signed.header_params.items()
                    if name not in given or name == "X-Sdk-Date"]
    out["canonical_request"] = _captured[-1]
    out["sdk_uri"] = signed.uri
    return out


# --- random requests -------------------------------------------------------

HEX = "0123456789ABCDEF"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
NON_ASCII = ["é", "ü", "ß", "中", "文", "日本", "ключ", "😀", "\u00a0", "€", "Ω"]
SUB_DELIMS = "!$&'()*+,;=:@"


def escape(rng, text):
    """%-encodes every UTF-8 byte of text, in random hex case."""
    out = []
    for byte in text.encode("utf-8"):
        pair = "%02X" % byte
        out.append("%" + (pair.lower() if rng.random() < 0.3 else pair))
    return "".join(out)


def path_segment(rng):
    """A path segment as sent: mixed raw and escaped characters, non-ASCII,
    escaped slashes, broken escapes and escapes that are not UTF-8."""
    kinds = rng.choices(
        ["alnum", "unreserved", "sub", "space", "non_ascii", "percent", "slash",
         "broken", "bad_utf8", "other"],
        weights=[30, 6, 6, 3, 6, 2, 2, 2, 2, 3], k=rng.randint(1, 5))
    parts = []
    for kind in kinds:
        if kind == "alnum":
            parts.append("".join(rng.choice(ALNUM) for _ in range(rng.randint(1, 8))))
        elif kind == "unreserved":
            parts.append(rng.choice(["-", "_", "~", "a.b", "x-y_z~"]))
        elif kind == "sub":
            c = rng.choice(SUB_DELIMS)
            parts.append(c if rng.random() < 0.6 else escape(rng, c))
        elif kind == "space":
            parts.append("%20")
        elif kind == "non_ascii":
            c = rng.choice(NON_ASCII)
            parts.append(c if rng.random() < 0.4 else escape(rng, c))
        elif kind == "percent":
            parts.append("%25")
        elif kind == "slash":
            parts.append(rng.choice(["%2F", "%2f"]))
        elif kind == "broken":
            parts.append(rng.choice(["%zz", "%4", "%", "%%41", "%g0"]))
        elif kind == "bad_utf8":
            parts.append(rng.choice(["%FF", "%C3", "%E2%82", "%ED%A0%80", "%C0%AF",
                                     "%F0%9F%98", "%F4%90%80%80", "%80", "%C3%28"]))
        else:
            parts.append(escape(rng, rng.choice(["?", "#", "\\", "\"", "<", ">", "{", "}", "|", "^", "`"])))
    segment = "".join(parts)
    lowered = segment.lower().replace("%2e", ".")
    return segment if lowered not in (".", "..") else segment + "x"


def random_path(rng):
    if rng.random() < 0.08:
        return "/"
    segments = [path_segment(rng) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.1:
        segments.insert(rng.randint(0, len(segments)), "")  # an empty segment: "//"
    path = "/" + "/".join(segments)
    return path + "/" if rng.random() < 0.25 else path


QUERY_NAMES = ["request_id", "limit", "offset", "marker", "name", "a", "A", "b", "B", "z", "Z",
               "a-", "a~", "ab", "a b", "a+b", "a&b", "a=b", "x/y", "q?", "h#", "100%", "",
               "_", ".", "~", "日本", "ключ", "😀", "é", "e"]


def query_value(rng):
    kind = rng.choice(["alnum", "empty", "reserved", "non_ascii", "mixed", "space", "number"])
    if kind == "alnum":
        return "".join(rng.choice(ALNUM) for _ in range(rng.randint(1, 12)))
    if kind == "empty":
        return ""
    if kind == "reserved":
        return "".join(rng.choice("!*'();:@&=+$,/?#[]~%") for _ in range(rng.randint(1, 6)))
    if kind == "non_ascii":
        return "".join(rng.choice(NON_ASCII) for _ in range(rng.randint(1, 3)))
    if kind == "space":
        return rng.choice([" ", "a b", " lead", "trail ", "a  b"])
    if kind == "number":
        return str(rng.randint(0, 1000))
    return rng.choice(ALNUM) + rng.choice(NON_ASCII) + rng.choice("&=+ %~") + rng.choice(ALNUM)


def random_query(rng):
    params = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 6])):
        if params and rng.random() < 0.2:
            name = rng.choice(params)[0]  # a repeated name
        else:
            name = rng.choice(QUERY_NAMES)
        params.append([name, query_value(rng)])
    return params


def loose_query(rng, params):
    """The query as a client might write it: characters that may stay raw
    sometimes do, the rest is escaped in random hex case; sometimes a bare
    name for an empty value, or an empty piece between '&'s."""
    pieces = []
    for name, value in params:
        def write(text, is_name):
            out = []
            for c in text:
                must = c in "%&#" or (is_name and c == "=")
                if not must and (c.isalnum() and c.isascii() or c in "-._~" or rng.random() < 0.5):
                    out.append(c)
                else:
                    out.append(escape(rng, c))
            return "".join(out)
        if value == "" and name != "" and rng.random() < 0.5:
            pieces.append(write(name, True))
        else:
            pieces.append(write(name, True) + "=" + write(value, False))
        if rng.random() < 0.05:
            pieces.append("")
    return "&".join(pieces)


HEADER_NAMES = ["Accept", "accept-language", "X-Project-Id", "X-Custom", "x-Mixed-CASE", "User-Agent",
                "X-Request-Id", "If-None-Match", "X_Under_Score", "x_lower_under", "Cache-Control",
                "X-Empty", "X-Tab", "X-Unicode", "Accept-Encoding", "X-Trace_Id"]


def header_value(rng):
    kind = rng.choice(["plain", "padded", "inner", "non_ascii", "unicode_space", "empty", "tab"])
    if kind == "plain":
        return rng.choice(["application/json", "cph-jobs/0.1.0", "gzip, deflate", "no-cache",
                           "\"etag-1\"", "zh-CN,en;q=0.8"])
    if kind == "padded":
        return rng.choice([" v ", "  spaced", "trailing   ", "\tTabbed\t", " \t mixed \t "])
    if kind == "inner":
        return "a  b   c"
    if kind == "non_ascii":
        return rng.choice(["café", "日本語テキスト", "Grüße", "emoji 😀 ok"])
    if kind == "unicode_space":
        return rng.choice(["\u3000wide\u3000", "\u00a0nbsp\u00a0", "\u2003em\u2009"])
    if kind == "empty":
        return ""
    return "a\tb"


def mixed_case(rng, name):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)


CONTENT_TYPES = ["application/json", "application/json;charset=UTF-8", "application/bson", "text/plain",
                 "application/octet-stream", "Application/JSON", "application/x-www-form-urlencoded", ""]


def random_request(rng, index):
    scheme = rng.choice(["https", "https", "https", "http"])
    host_kind = rng.choice(["name", "name", "name", "port", "v4", "v6", "default_port", "upper"])
    if host_kind == "name":
        host = "cph.%s.myhuaweicloud.com" % rng.choice(["cn-north-4", "ap-southeast-1", "la-south-2"])
        url_host = host
    elif host_kind == "port":
        host = url_host = "localhost:%d" % rng.randint(1024, 65535)
    elif host_kind == "v4":
        host = url_host = "127.0.0.1:%d" % rng.randint(1024, 65535)
    elif host_kind == "v6":
        host = url_host = "[::1]:%d" % rng.randint(1024, 65535)
    elif host_kind == "default_port":
        host = "cph.example.com"
        url_host = host + (":443" if scheme == "https" else ":80")
    else:
        host = "cph.cn-east-3.myhuaweicloud.com"
        url_host = "CPH.cn-East-3.MyHuaweiCloud.com"

    headers = []
    for name in rng.sample(HEADER_NAMES, rng.randint(0, 5)):
        headers.append([mixed_case(rng, name) if rng.random() < 0.3 else name, header_value(rng)])
    if rng.random() < 0.1:
        headers.append([rng.choice(["Host", "host", "HOST"]), rng.choice(["proxy.example.com:8080", " spaced.example.com "])])

    body = b""
    if rng.random() < 0.5:
        body = rng.choice([
            b'{"phone_ids":["a","b"],"restart":true}',
            "{\"name\":\"日本語\"}".encode("utf-8"),
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
        ])
    content_type = None
    if rng.random() < 0.5:
        content_type = rng.choice(CONTENT_TYPES)
        headers.append(["Content-Type", content_type])
    json_like = content_type is None or content_type.startswith(("application/json", "application/bson"))
    if rng.random() < 0.12:
        if json_like:
            headers.append([rng.choice(["X-Sdk-Content-Sha256", "x-sdk-content-sha256"]),
                            rng.choice(["UNSIGNED-PAYLOAD", " UNSIGNED-PAYLOAD ", "0" * 64])])
        else:
            # The SDK would overwrite another value; only the one it sets is comparable.
            headers.append(["X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"])
    rng.shuffle(headers)

    secret_key = "".join(rng.choice(ALNUM) for _ in range(40))
    if rng.random() < 0.1:
        secret_key = rng.choice(["sk/with+sym=bols", "密钥-ü-" + secret_key[:8]])
    token = None
    if rng.random() < 0.3:
        token = "".join(rng.choice(ALNUM + "+/=-_") for _ in range(rng.randint(40, 300)))
    when = datetime.fromtimestamp(rng.randint(946684800, 4102444799), timezone.utc)

    params = random_query(rng)
    path = random_path(rng)
    query = loose_query(rng, params)
    url = "%s://%s%s%s" % (scheme.upper() if rng.random() < 0.1 else scheme, url_host, path,
                           "?" + query if query else "")
    if rng.random() < 0.05:
        url += "#fragment"
    return {
        "id": "random-%03d" % index,
        "method": rng.choice(["GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get", "Post"]),
        "scheme": scheme,
        "host": host,
        "path": path,
        "query": params,
        "headers": headers,
        "body_hex": body.hex(),
        "sdk_date": when.strftime("%Y%m%dT%H%M%SZ"),
        "access_key": "".join(rng.choice(ALNUM[:26] + ALNUM[52:]) for _ in range(20)),
        "secret_key": secret_key,
        "security_token": token,
        "url": url,
    }


def fixed_requests():
    """A few hand-written requests first: the ListJobs call itself, and the
    corners the random ones may miss."""
    base = {
        "method": "GET", "scheme": "https", "host": "cph.cn-north-4.myhuaweicloud.com",
        "query": [], "headers": [], "body_hex": "", "sdk_date": "20261128T101500Z",
        "access_key": "HPUAEXAMPLEACCESSKEY", "secret_key": "ExampleSecretKey0123456789abcdefghijklmn",
        "security_token": None,
    }
    cases = [
        ("list-jobs", {"path": "/v1/0123456789abcdef0123456789abcdef/cloud-phone/jobs",
                       "query": [["request_id", "6837531fd3f54550927b930180a706bf"]],
                       "headers": [["Accept", "application/json"]]}),
        ("list-jobs-paged", {"path": "/v1/proj/cloud-phone/jobs",
                             "query": [["request_ids", "a,b,c"], ["offset", "100"], ["limit", "100"]],
                             "headers": [["Accept", "application/json"], ["X-Project-Id", "proj"]]}),
        ("list-jobs-sts", {"path": "/v1/proj/cloud-phone/jobs", "query": [["request_id", "r1"]],
                           "security_token": "gQpjbi1ub3J0aC00ixHkYXRhIjoiU1RTIn0+/="}),
        ("root", {"path": "/"}),
        ("no-trailing-slash", {"path": "/v1/a"}),
        ("trailing-slash", {"path": "/v1/a/"}),
        ("encoded-slash", {"path": "/v1/a%2Fb/c"}),
        ("repeated-and-empty", {"path": "/q", "query": [["b", "2"], ["a", ""], ["b", "1"], ["a", "z"], ["c", ""]]}),
        ("reserved-query", {"path": "/q", "query": [["k", "a b+c&d=e/f?g#h~i%j"], ["~", "*'()!"]]}),
        ("non-ascii", {"path": "/v1/caf%C3%A9/日本", "query": [["名前", "値 ü"]],
                       "headers": [["X-Note", "  café  "]]}),
        ("bad-utf8-path", {"path": "/%FF/%E2%82/%ED%A0%80x/%F0%9F%98%80"}),
        ("underscore-headers", {"path": "/h", "headers": [["X_Skipped", "v"], ["x-kept", " v "], ["ACCEPT", "a"]]}),
        ("json-body", {"method": "POST", "path": "/b", "body_hex": b'{"a":1}'.hex(),
                       "headers": [["Content-Type", "application/json;charset=UTF-8"]]}),
        ("text-body-unsigned", {"method": "POST", "path": "/b", "body_hex": b"hello".hex(),
                                "headers": [["Content-Type", "text/plain"]]}),
        ("given-host", {"path": "/h", "headers": [["host", "proxy.example.com:8443"]]}),
    ]
    out = []
    for name, fields in cases:
        request = {"id": name, **base, **fields}
        query = "&".join("%s=%s" % (quote(k, safe="~"), quote(v, safe="~")) for k, v in request["query"])
        request["url"] = "%s://%s%s%s" % (request["scheme"], request["host"], request["path"],
                                          "?" + query if query else "")
        out.append(request)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["generate", "sign"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=240, help="random requests after the fixed ones")
    args = parser.parse_args()
    if args.mode == "generate":
        rng = random.Random(args.seed)
        requests = fixed_requests() + [random_request(rng, i) for i in range(args.count)]
    else:
        requests = [json.loads(line) for line in sys.stdin if line.strip()]
    for request in requests:
        sys.stdout.write(json.dumps(sign(request), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
