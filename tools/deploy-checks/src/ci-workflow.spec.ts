import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WORKSPACE_ROOT } from './workspace';

interface Workflow {
  jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, unknown> }[]; strategy?: { matrix: Record<string, string> } }>;
}

const workflow = parseYaml(fs.readFileSync(path.join(WORKSPACE_ROOT, '.github/workflows/ci.yml'), 'utf8')) as Workflow;
const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));

describe('.github/workflows/ci.yml', () => {
  it('builds and tests only what a change affects, and checks the contracts against main', () => {
    expect(runs.some((run) => /nx affected -t build typecheck lint test/.test(run))).toBe(true);
    expect(runs.some((run) => /buf breaking --against .*#branch=main/.test(run))).toBe(true);
  });

  it('builds one image per changed service, from its own Dockerfile, tagged with its version', () => {
    expect(runs.some((run) => run.includes('deploy/docker/changed-images.cjs'))).toBe(true);
    const image = workflow.jobs.image!;
    expect(image.strategy!.matrix.service).toContain('fromJSON');
    const build = image.steps.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'services/${{ matrix.service }}/Dockerfile', context: '.' });
    expect(String(build.with!.tags)).toContain('${{ steps.version.outputs.version }}');
  });
});
