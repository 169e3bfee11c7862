// Builds the browser test's page into OUT_DIR/site: generates the TypeScript client from protos/ (and google.rpc's
// error_details.proto from ERROR_DETAILS_ROOT) with buf + protoc-gen-es, then bundles page/app.ts with esbuild.
// Usage: node build.mjs OUT_DIR ERROR_DETAILS_ROOT
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const [outDir, errorDetailsRoot] = process.argv.slice(2).map((p) => resolve(p));
if (!outDir || !errorDetailsRoot) {
  throw new Error("usage: node build.mjs OUT_DIR ERROR_DETAILS_ROOT");
}

const src = join(outDir, "src");
const site = join(outDir, "site");
mkdirSync(src, { recursive: true });
mkdirSync(site, { recursive: true });

const buf = join(here, "node_modules", ".bin", "buf");
const template = join(here, "buf.gen.yaml");
const generate = (...args) => execFileSync(buf, ["generate", ...args, "--template", template, "-o", src], { cwd: here, stdio: "inherit" });
generate(join(here, "..", "..", "protos"));
generate(errorDetailsRoot, "--path", join(errorDetailsRoot, "google", "rpc", "error_details.proto"));

copyFileSync(join(here, "page", "app.ts"), join(src, "app.ts"));
copyFileSync(join(here, "page", "index.html"), join(site, "index.html"));
await build({
  entryPoints: [join(src, "app.ts")],
  outfile: join(site, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  nodePaths: [join(here, "node_modules")],
  logLevel: "warning",
});
