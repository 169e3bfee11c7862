"""Runs the grpcurl and curl commands of a Markdown file's ```bash blocks in order, as grpcurl and curl would. One JSON
line per command.

  readme_doctest.py README.md [--env NAME=VALUE]... [--address FROM=TO]...

grpcurl flags understood: -plaintext (required: no TLS here), -d JSON, -H 'name: value' (repeatable), and the verbs
`list [SERVICE]`, `describe SYMBOL` and `SERVICE/METHOD` (unary or server streaming). Anything else fails that command
with "unsupported", so an example using a new flag cannot pass by being skipped.
- `$NAME` / `${NAME}` outside single quotes expand from --env (unset: the command fails, as a missing token would).
- `usr_…` / `ord_…` (with the ellipsis) become the id of that kind in the latest response that had one.
- --address maps a README address (127.0.0.1:5001) to where the mesh under test listens.
- A server stream is read until it ends or stays quiet for 2 s (grpcurl would wait for more until Ctrl+C) and must
  deliver at least one message.
curl (the JSON API on the HTTP edge, with urllib): -s, -X METHOD, -H 'name: value' (repeatable), -d DATA and one URL;
--address maps its host:port too. The answer must be HTTP 200, or the status a trailing `# HTTP NNN` comment names (a
google.rpc.Status JSON body then, with code and message); a JSON body's ids fill later placeholders.
Other commands (dotnet, export, openssl, ...) are reported as "skipped" with the command, for the test to check.
Output: {"line": N, "command": "...", "status": "ok"|"failed"|"skipped", "responses"|"error"|"reason": ...}
"""

import argparse
import json
import re
import shlex
import urllib.error
import urllib.parse
import urllib.request

import grpc

from grpcmesh_interop import ReflectionClient, code_name, emit

ID = re.compile(r"^(usr|ord)_[0-9a-f]{32}$")
PLACEHOLDER = re.compile(r"\b(usr|ord)_\u2026")
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
EXPECTED_STATUS = re.compile(r"\s#\s*HTTP (\d{3})\b")


def commands(markdown):
    """(line number, command text) for every logical line of every ```bash block (continuations joined)."""
    in_block, pending, start = False, "", 0
    for number, line in enumerate(markdown.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_block = stripped == "```bash" if not in_block else False
            continue
        if not in_block:
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = (pending + stripped).strip()
        pending = ""
        if text and not text.startswith("#"):
            yield start, text


def expand(text, env):
    """Expands $NAME outside single quotes, like bash; a variable that is not set is an error."""
    out, quote = [], None
    i = 0
    while i < len(text):
        c = text[i]
        if c in "'\"" and quote in (None, c):
            quote = None if quote else c
        if c == "$" and quote != "'":
            match = VARIABLE.match(text, i)
            if match:
                name = match.group(1) or match.group(2)
                if name not in env:
                    raise KeyError("$%s is not set" % name)
                out.append(env[name])
                i = match.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_grpcurl(argv):
    options = {"plaintext": False, "data": None, "headers": []}
    rest = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-plaintext":
            options["plaintext"] = True
        elif arg == "-d":
            i += 1
            options["data"] = argv[i]
        elif arg == "-H":
            i += 1
            name, value = argv[i].split(":", 1)
            options["headers"].append((name.strip().lower(), value.strip()))
        elif arg.startswith("-"):
            raise NotImplementedError("grpcurl flag %s is not supported by the runner" % arg)
        else:
            rest.append(arg)
        i += 1
    if not options["plaintext"]:
        raise NotImplementedError("only -plaintext calls are supported (no TLS in the doc-test)")
    if not rest:
        raise ValueError("no address")
    return options, rest[0], rest[1:]


def run_grpcurl(argv, addresses, seen_ids):
    options, address, verb = parse_grpcurl(argv)
    with grpc.insecure_channel(addresses.get(address, address)) as channel:
        reflection = ReflectionClient(channel)
        if verb[:1] == ["list"]:
            if len(verb) == 1:
                return [{"services": reflection.list_services()}]
            return [{"methods": sorted(reflection.describe(verb[1])["methods"])}]
        if verb[:1] == ["describe"]:
            return [reflection.describe(verb[1])]
        if len(verb) != 1:
            raise ValueError("expected SERVICE/METHOD, got %s" % verb)
        responses = reflection.invoke_json(verb[0], options["data"], metadata=options["headers"] or None)
        if not responses:
            raise RuntimeError("the stream delivered no message within its quiet period")
        remember_ids(responses, seen_ids)
        return responses


def run_curl(argv, addresses, seen_ids, expected_status):
    method, headers, data, urls = None, {}, None, []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-s":
            pass
        elif arg == "-X":
            i += 1
            method = argv[i]
        elif arg == "-H":
            i += 1
            name, value = argv[i].split(":", 1)
            headers[name.strip().lower()] = value.strip()
        elif arg == "-d":
            i += 1
            data = argv[i].encode("utf-8")
        elif arg.startswith("-"):
            raise NotImplementedError("curl flag %s is not supported by the runner" % arg)
        else:
            urls.append(arg)
        i += 1
    if len(urls) != 1:
        raise ValueError("expected one URL, got %s" % urls)
    url = urllib.parse.urlsplit(urls[0])
    url = url._replace(netloc=addresses.get(url.netloc, url.netloc)).geturl()
    # curl -d without -X is a POST with this content type unless -H sets one.
    if data is not None:
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=data, headers=headers, method=method or ("POST" if data is not None else "GET"))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, content_type, body = response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        status, content_type, body = error.code, error.headers.get("content-type", ""), error.read()
    parsed = json.loads(body) if content_type.startswith("application/json") else body.decode("utf-8", "replace")
    if status != expected_status:
        raise RuntimeError("HTTP %d (expected %d): %s" % (status, expected_status, body[:300].decode("utf-8", "replace")))
    if status >= 400 and not (isinstance(parsed, dict) and isinstance(parsed.get("code"), int) and parsed.get("message")):
        raise RuntimeError("HTTP %d without a google.rpc.Status JSON body: %s" % (status, body[:300]))
    remember_ids(parsed, seen_ids)
    return [{"status": status, "body": parsed}]


def remember_ids(value, seen_ids):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            remember_ids(item, seen_ids)
    elif isinstance(value, str) and ID.match(value):
        seen_ids[value[:3]] = value


def fill_placeholders(text, seen_ids):
    def fill(match):
        kind = match.group(1)
        if kind not in seen_ids:
            raise LookupError("no earlier response had a %s_ id for %s" % (kind, match.group(0)))
        return seen_ids[kind]

    return PLACEHOLDER.sub(fill, text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("markdown")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for $NAME")
    parser.add_argument("--address", action="append", default=[], help="FROM=TO host:port mapping")
    options = parser.parse_args()
    env = dict(item.split("=", 1) for item in options.env)
    addresses = dict(item.split("=", 1) for item in options.address)
    seen_ids = {}
    with open(options.markdown, encoding="utf-8") as handle:
        markdown = handle.read()

    for line, text in commands(markdown):
        result = {"line": line, "command": text}
        if not text.startswith(("grpcurl ", "curl ")):
            emit(dict(result, status="skipped", reason="not a grpcurl or curl command"))
            continue
        try:
            argv = shlex.split(expand(fill_placeholders(text, seen_ids), env), comments=True)
            if argv[0] == "curl":
                expected = EXPECTED_STATUS.search(text)
                responses = run_curl(argv, addresses, seen_ids, int(expected.group(1)) if expected else 200)
            else:
                responses = run_grpcurl(argv, addresses, seen_ids)
            emit(dict(result, status="ok", responses=responses))
        except grpc.RpcError as error:
            emit(dict(result, status="failed", error="%s: %s" % (code_name(error), error.details())))
        except Exception as error:  # a parse error (json_format), an unsupported flag, a missing placeholder
            emit(dict(result, status="failed", error="%s: %s" % (type(error).__name__, error)))


if __name__ == "__main__":
    main()
