import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { serviceImages } from './docker/service-image';
import { ALL_SERVICES, packageVersion, WORKSPACE_ROOT } from './workspace';

interface Workflow {
  jobs: Record<string, { steps: { id?: string; run?: string; uses?: string; with?: Record<string, unknown> }[]; strategy?: { matrix: Record<string, string> } }>;
}

const workflow = parseYaml(fs.readFileSync(path.join(WORKSPACE_ROOT, '.github/workflows/ci.yml'), 'utf8')) as Workflow;
const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));

describe('.github/workflows/ci.yml', () => {
  it('builds and tests only what a change affects, and checks the contracts against main', () => {
    expect(runs.some((run) => /nx affected -t build typecheck lint test/.test(run))).toBe(true);
    expect(runs.some((run) => /buf breaking --against .*#branch=main/.test(run))).toBe(true);
  });

  it('builds one image per changed service, from deploy/docker/Dockerfile with the build arguments of the table, tagged with its version', () => {
    expect(runs.some((run) => run.includes('deploy/docker/changed-images.cjs'))).toBe(true);
    const image = workflow.jobs.image!;
    expect(image.strategy!.matrix.service).toContain('fromJSON');
    const build = image.steps.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'deploy/docker/Dockerfile', context: '.' });
    expect(String(build.with!.tags)).toContain('${{ steps.version.outputs.version }}');
  });

  // The step that feeds docker/build-push-action its build arguments, run here as Actions would run it.
  it.each(ALL_SERVICES)('passes %s the build arguments deploy/docker/service-images.cjs gives it, and its version for the tag', (service) => {
    const image = workflow.jobs.image!;
    const build = image.steps.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    const output = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(String(build.with!['build-args']));
    expect(output).not.toBeNull();
    const step = image.steps.find((s) => s.id === output![1])!;
    expect(image.steps.indexOf(step)).toBeLessThan(image.steps.indexOf(build));

    const outputs = runStep(step.run!, { 'matrix.service': service });
    const lines = outputs[output![2]!]!.split('\n');
    expect(Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))).toEqual(serviceImages.imageBuildArgs(service));
    expect(outputs.version).toBe(packageVersion(service));
  });
});

/** Runs a step's `run` script with bash -e (Actions' default shell), its `${{ }}` expressions given, and returns what it wrote to GITHUB_OUTPUT. */
function runStep(script: string, expressions: Record<string, string>): Record<string, string> {
  const shell = script.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => expressions[name] ?? whole);
  expect(shell).not.toContain('${{');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-step-'));
  try {
    const file = path.join(dir, 'output');
    fs.writeFileSync(file, '');
    execFileSync('bash', ['-e', '-c', shell], { cwd: WORKSPACE_ROOT, env: { PATH: process.env.PATH!, GITHUB_OUTPUT: file }, stdio: ['ignore', 'ignore', 'inherit'] });
    return parseGithubOutput(fs.readFileSync(file, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** GITHUB_OUTPUT's format: `name=value` lines, and `name<<DELIMITER` ... `DELIMITER` blocks for values of several lines. */
function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${block[1]} is not closed by ${block[2]}`);
      outputs[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      outputs[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
    }
  }
  return outputs;
}
