#!/usr/bin/env node
// Declares in each project's package.json the third-party packages its src/ imports (versions from the root),
// so every service can be installed and shipped on its own. Run after adding an import: node tools/sync-package-deps.js
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const versions = { ...rootPkg.dependencies, ...rootPkg.devDependencies };

function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gen' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

let changed = 0;
for (const group of ['libs', 'services']) {
  for (const name of fs.readdirSync(path.join(root, group))) {
    const pkgPath = path.join(root, group, name, 'package.json');
    if (!fs.existsSync(pkgPath)) continue;
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
    const used = new Set();
    const files = sourceFiles(path.join(root, group, name, 'src'));
    if (name === 'contracts') used.add('@bufbuild/protobuf').add('@grpc/grpc-js');
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|require\(|import\()\s*'([^']+)'/g)) {
        const dep = packageOf(m[1]);
        if (dep) used.add(dep);
      }
    }
    const deps = { ...pkg.dependencies };
    for (const dep of used) {
      if (dep.startsWith('@switchyard/')) deps[dep] = '*';
      else if (versions[dep]) deps[dep] = versions[dep];
      else console.warn(`${group}/${name}: ${dep} has no pinned version in the root package.json`);
    }
    const sorted = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
    if (JSON.stringify(sorted) !== JSON.stringify(pkg.dependencies)) {
      pkg.dependencies = sorted;
      fs.writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
      changed++;
    }
  }
}
console.log(`${changed} package.json file(s) updated`);
