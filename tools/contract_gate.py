#!/usr/bin/env python3
"""Contract gates for protos/: buf lint, buf breaking (WIRE_JSON) and the mesh's own retry-safety rule.

The baseline ("the contracts already deployed") is the merge base of HEAD with main; on main itself, the first parent
of HEAD (the main that ran before this change). --against REF or --against-dir DIR picks another one.

buf breaking's WIRE_JSON set includes RPC_SAME_IDEMPOTENCY_LEVEL, so a method that loses its `idempotency_level` (and
with it the mesh's retries and hedging) fails there. The mesh rule buf does not know: every unary method either
declares an `idempotency_level` or takes a `string request_id` (the idempotency key GrpcMesh.Clients retries on);
otherwise no call of it can ever be retried once it reached a server.

Exit status 0 when every gate passes; 1 with one line per finding otherwise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYED = "request_id"


def find_buf():
    local = os.path.join(REPO, ".tools", "node_modules", ".bin", "buf")
    found = shutil.which("buf") or (local if os.access(local, os.X_OK) else None)
    if found is None:
        sys.exit("contract gate: no buf CLI; install it with `npm install --prefix .tools @bufbuild/buf@1.75.0`")
    return found


def git(*args):
    return subprocess.run(["git", "-C", REPO, *args], check=True, capture_output=True, text=True).stdout.strip()


def default_baseline():
    """The merge base with main, or HEAD's first parent when HEAD is main's tip; HEAD itself when neither is in this clone."""
    head = git("rev-parse", "HEAD")
    try:
        for main in ("origin/main", "main"):
            try:
                tip = git("rev-parse", "--verify", "--quiet", main)
            except subprocess.CalledProcessError:
                continue
            return git("rev-parse", "--verify", "HEAD^") if tip == head else git("merge-base", "HEAD", main)
        return git("rev-parse", "--verify", "HEAD^")
    except subprocess.CalledProcessError:
        print("contract gate: no parent of HEAD in this clone (shallow?); buf breaking compares HEAD with itself")
        return head


def retry_safety_findings(buf, source, out):
    """Unary methods that are neither idempotent nor keyed by a request_id."""
    subprocess.run([buf, "build", source, "-o", out], check=True)
    with open(out, encoding="utf-8") as f:
        files = json.load(f).get("file", [])
    keyed = {
        f".{file.get('package', '')}.{message['name']}"
        for file in files
        for message in file.get("messageType", [])
        if any(field["name"] == KEYED and field.get("type") == "TYPE_STRING" for field in message.get("field", []))
    }
    return [
        f"{file.get('package', '')}.{service['name']}/{method['name']}: neither an idempotency_level nor a "
        f"`string {KEYED}` in {method['inputType'].lstrip('.')}, so a call that reached a server is never retried "
        f"(declare `option idempotency_level = IDEMPOTENT;` if repeating it is harmless, else add the key)"
        for file in files
        for service in file.get("service", [])
        for method in service.get("method", [])
        if not method.get("clientStreaming") and not method.get("serverStreaming")
        and "idempotencyLevel" not in method.get("options", {}) and method["inputType"] not in keyed
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protos", default=os.path.join(REPO, "protos"), help="the contracts to check (a buf module directory)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--against", help="a git ref of this repository whose protos/ is the baseline")
    group.add_argument("--against-dir", help="a directory holding the baseline module")
    args = parser.parse_args()

    buf = find_buf()
    if args.against_dir:
        against, label = args.against_dir, args.against_dir
    else:
        ref = args.against or default_baseline()
        against, label = f"{os.path.join(REPO, '.git')}#ref={ref},subdir=protos", f"protos/ at {ref[:12]}"
    print(f"contract gate: {args.protos} against {label}")

    failed = []
    if subprocess.run([buf, "lint", args.protos]).returncode != 0:
        failed.append("buf lint")
    if subprocess.run([buf, "breaking", args.protos, "--against", against]).returncode != 0:
        failed.append("buf breaking")
    with tempfile.TemporaryDirectory() as scratch:
        try:
            findings = retry_safety_findings(buf, args.protos, os.path.join(scratch, "head.json"))
        except subprocess.CalledProcessError:
            sys.exit("contract gate: buf build failed; see above")
    for finding in findings:
        print(finding)
    if findings:
        failed.append("retry safety")

    print("contract gate: " + ("failed: " + ", ".join(failed) if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
