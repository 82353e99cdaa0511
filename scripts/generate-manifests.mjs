#!/usr/bin/env node
// Writes every demo's deployment files — k8s/manifests.yaml, k8s/variants/pre-1.30.yaml and the
// Dockerfile — from their one source, apps/demo-kit/deploy/demo-files.mjs.
//   node scripts/generate-manifests.mjs          write them
//   node scripts/generate-manifests.mjs --check  write nothing; exit 1 naming each stale file
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from '../apps/demo-kit/deploy/demo-files.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

let stale = 0;
for (const { path, content } of renderAll()) {
  const target = join(root, path);
  if (read(target) === content) continue;
  stale += 1;
  if (check) {
    console.log(`stale: ${path}`);
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`wrote ${path}`);
  }
}
if (check && stale > 0) {
  console.log(
    `${stale} file(s) differ from apps/demo-kit/deploy/demo-files.mjs: run node scripts/generate-manifests.mjs`,
  );
  process.exit(1);
}
if (stale === 0) console.log('deployment files are up to date');
