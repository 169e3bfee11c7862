#!/usr/bin/env python3
"""Calls the HTTP edge's JSON API with nothing but the standard library (urllib, HTTP/1.1), as a REST client would.

    json_api.py BASE_URL REQUESTS_JSON

REQUESTS_JSON is a list of {"method", "path", "token"?, "body"? (a string, sent as is), "headers"? {name: value},
"repeat"? n}. Prints one JSON line per request sent: {"status", "content_type", "body" (parsed JSON, else the text)}.
"""
import json
import sys
import urllib.error
import urllib.request


def send(base, request):
    data = request.get("body")
    headers = dict(request.get("headers", {}))
    if data is not None:
        data = data.encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    if request.get("token"):
        headers["Authorization"] = "Bearer " + request["token"]
    req = urllib.request.Request(base.rstrip("/") + request["path"], data=data, method=request["method"], headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, content_type, raw = response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        status, content_type, raw = error.code, error.headers.get("Content-Type", ""), error.read()
    text = raw.decode("utf-8")
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    return {"status": status, "content_type": content_type, "body": body}


def main():
    base, requests = sys.argv[1], json.loads(sys.argv[2])
    for request in requests:
        for _ in range(request.get("repeat", 1)):
            print(json.dumps(send(base, request)), flush=True)


if __name__ == "__main__":
    main()
