// Fails on a line over 120 columns in shaders/**/*.wgsl or src/**/*.ts. Prettier wraps code at 120 but leaves long
// strings and comments, and it does not read WGSL at all.
// Usage: node scripts/lint/check-line-width.mjs [dir...]   (default: shaders src)
import fs from 'node:fs';
import path from 'node:path';

const MAX_COLUMNS = 120;
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['shaders', 'src'];

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (/\.(wgsl|ts)$/.test(e.name)) yield p;
  }
}

let bad = 0;
let files = 0;
for (const dir of dirs) {
  for (const file of walk(dir)) {
    files++;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // columns as an editor counts them: code points, not UTF-16 units
        const width = [...line].length;
        if (width > MAX_COLUMNS) {
          bad++;
          console.error(`${file}:${i + 1}: ${width} columns (max ${MAX_COLUMNS})`);
        }
      });
  }
}
if (bad) {
  console.error(`check-line-width: ${bad} line(s) over ${MAX_COLUMNS} columns`);
  process.exit(1);
}
console.log(`check-line-width: ${files} files, no line over ${MAX_COLUMNS} columns`);
