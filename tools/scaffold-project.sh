#!/usr/bin/env bash
# Creates the standard files of a workspace project: tools/scaffold-project.sh <libs|services> <name> <tags> [deps...]
set -euo pipefail
kind=$1 name=$2 tags=$3; shift 3
dir="$kind/$name"
mkdir -p "$dir/src"
main=index; [ "$kind" = services ] && main=main
deps=""
for d in "$@"; do deps="$deps\"@switchyard/$d\": \"*\","; done
deps="{${deps%,}}"
cat > "$dir/package.json" <<JSON
{
  "name": "@switchyard/$name",
  "version": "0.1.0",
  "private": true,
  "main": "dist/$main.js",
  "types": "dist/$main.d.ts",
  "dependencies": $deps
}
JSON
node -e '
const [dir,name,tags]=process.argv.slice(1);
const p={name,$schema:"../../node_modules/nx/schemas/project-schema.json",sourceRoot:dir+"/src",projectType:dir.startsWith("libs")?"library":"application",tags:tags.split(","),
targets:{build:{command:"tsc -p tsconfig.lib.json",options:{cwd:dir}},typecheck:{command:"tsc -p tsconfig.spec.json",options:{cwd:dir}},test:{command:"jest --ci",options:{cwd:dir}}}};
require("fs").writeFileSync(dir+"/project.json",JSON.stringify(p,null,2)+"\n");' "$dir" "$name" "$tags"
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
JSON
cat > "$dir/tsconfig.spec.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "noEmit": true, "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/jest.config.cjs" <<'JS'
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
JS
