// Runs a Python script under Pyodide (CPython compiled to WebAssembly) in
// Node, the way python3 would run it.
//
//   node run.mjs VERSION SCRIPT [ARG...]      VERSION: 312, 313 or 314
//
// The working directory, the directories of SCRIPT and of every argument that is an existing path
// (or whose parent is) are mounted at the same paths inside Pyodide's file
// system (NODEFS), so paths mean the same inside and out. Standard output
// and error are passed through; the exit status is the script's (1 on an
// uncaught exception). Versions are pinned in package.json and
// package-lock.json (npm ci).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const [version, script, ...args] = process.argv.slice(2);
if (!version || !script) {
  console.error("usage: node run.mjs 312|313|314 SCRIPT [ARG...]");
  process.exit(2);
}
const { loadPyodide } = require(`pyodide-${version}`);
const py = await loadPyodide({
  stdout: (s) => process.stdout.write(s + "\n"),
  stderr: (s) => process.stderr.write(s + "\n"),
});

const dirs = new Set([path.dirname(path.resolve(script)), process.cwd()]);
for (const a of args) {
  const p = path.resolve(a);
  if (fs.existsSync(p)) dirs.add(fs.statSync(p).isDirectory() ? p : path.dirname(p));
  else if (fs.existsSync(path.dirname(p))) dirs.add(path.dirname(p));
}
// mount outermost first; a directory inside another mounted one is covered
const sorted = [...dirs].sort((a, b) => a.length - b.length);
const mounted = [];
for (const d of sorted) {
  if (mounted.some((m) => d === m || d.startsWith(m + path.sep))) continue;
  py.FS.mkdirTree(d);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: d }, d);
  mounted.push(d);
}

py.globals.set("_argv", py.toPy([path.resolve(script), ...args]));
py.globals.set("_cwd", process.cwd());
let status = 0;
try {
  py.runPython(`
import os, runpy, sys
sys.argv = list(_argv)
os.chdir(_cwd)
del _argv, _cwd
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as e:
    if e.code not in (None, 0):
        raise
`);
} catch (e) {
  process.stderr.write(String(e.message || e) + "\n");
  status = 1;
}
process.exit(status);
