// Fails on an import cycle among the repo's TypeScript modules. Only imports that survive compilation count:
// `import type`, imports whose specifiers are all `type`, and dynamic import() are left out (they load nothing).
// Usage: node scripts/lint/check-cycles.mjs [dir...]   (default: src test kernels-bench scripts)
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'test', 'kernels-bench', 'scripts'];

function listTs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : listTs(p);
    return /\.(m?ts)$/.test(e.name) && !e.name.endsWith('.d.ts') && !e.name.endsWith('.d.mts') ? [p] : [];
  });
}

/** The relative value imports of one file, resolved to .ts paths. */
export function valueImports(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out = [];
  for (const st of sf.statements) {
    let spec;
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      if (c?.isTypeOnly) continue;
      const named = c?.namedBindings;
      const allTypes = c && !c.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      if (allTypes && named.elements.length > 0) continue;
      spec = st.moduleSpecifier.text;
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue;
      const ex = st.exportClause;
      if (ex && ts.isNamedExports(ex) && ex.elements.length > 0 && ex.elements.every((e) => e.isTypeOnly)) continue;
      spec = st.moduleSpecifier.text;
    }
    if (!spec || !spec.startsWith('.')) continue;
    const abs = path.resolve(path.dirname(file), spec);
    const cand = [abs, abs.replace(/\.js$/, '.ts'), abs.replace(/\.mjs$/, '.mts'), abs + '.ts'];
    const hit = cand.find((c) => /\.m?ts$/.test(c) && fs.existsSync(c));
    if (hit) out.push(path.relative(process.cwd(), hit));
  }
  return out;
}

/** Every elementary cycle's representative: the strongly connected components with more than one file (or a self-import). */
export function findCycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const comps = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) comps.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return comps;
}

/** One concrete loop inside a component, for the message: a -> b -> ... -> a. */
function loopIn(graph, comp) {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const chain = [];
        for (let u = v; u !== null; u = prev.get(u)) chain.unshift(u);
        return [...chain, start].join(' -> ');
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return comp.join(', ');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = new Map();
  for (const f of roots.flatMap(listTs)) graph.set(f, valueImports(f, fs.readFileSync(f, 'utf8')));
  const cycles = findCycles(graph);
  for (const c of cycles) console.error(`import cycle: ${loopIn(graph, c)}`);
  if (cycles.length) {
    console.error(`check-cycles: ${cycles.length} import cycle(s) among ${graph.size} modules`);
    process.exit(1);
  }
  console.log(`check-cycles: no value-import cycles among ${graph.size} modules`);
}
