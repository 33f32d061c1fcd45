// Measures what a browser must download before the first screen: the entry script, the chunks it
// preloads and the CSS, gzipped. Fails when the initial JS is over the budget (route chunks load later).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = Number(process.env.BUNDLE_BUDGET_KB ?? 250);
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => (bytes / 1024).toFixed(1);

const initial = [...new Set(refs)].map((file) => ({ file, size: gz(file) }));
const initialJs = initial.filter((f) => f.file.endsWith(".js")).reduce((sum, f) => sum + f.size, 0);
const initialCss = initial.filter((f) => f.file.endsWith(".css")).reduce((sum, f) => sum + f.size, 0);
const lazy = readdirSync(join(dist, "assets"))
  .filter((name) => name.endsWith(".js") && !refs.includes(`assets/${name}`))
  .reduce((sum, name) => sum + gz(`assets/${name}`), 0);

for (const f of initial) console.log(`  ${kb(f.size).padStart(7)} kB  ${f.file}`);
console.log(`initial JS ${kb(initialJs)} kB gzip (budget ${BUDGET_KB} kB), CSS ${kb(initialCss)} kB, lazy route chunks ${kb(lazy)} kB`);
if (initialJs / 1024 > BUDGET_KB) {
  console.error(`initial JS is over the ${BUDGET_KB} kB budget`);
  process.exit(1);
}
