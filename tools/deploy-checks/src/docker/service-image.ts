import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT, type ServiceName } from '../workspace';
import { parseDockerfile, resolveDockerfile, type Dockerfile, type Stage } from './dockerfile';

/** The one Dockerfile every service image is built from, relative to the repository root (the build context). */
export const DOCKERFILE = 'deploy/docker/Dockerfile';

export interface ServiceImage {
  description: string;
  port: number;
  hostVar: string;
  portVar: string;
  healthCheck: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const serviceImages = require(path.join(WORKSPACE_ROOT, 'deploy/docker/service-images.cjs')) as {
  SERVICE_IMAGES: Record<string, ServiceImage>;
  TABLE_ARGS: string[];
  serviceImage(service: string): ServiceImage;
  imageBuildArgs(service: string, version?: string): Record<string, string>;
  buildArgProblems(env: Record<string, string | undefined>): string[];
};

export function parsedDockerfile(): Dockerfile {
  return parseDockerfile(fs.readFileSync(path.join(WORKSPACE_ROOT, DOCKERFILE), 'utf8'));
}

/** deploy/docker/Dockerfile as Docker would build `service`: with the build arguments the table gives it. */
export function serviceDockerfile(service: ServiceName, buildArgs = serviceImages.imageBuildArgs(service)): Dockerfile {
  return resolveDockerfile(parsedDockerfile(), buildArgs);
}

/** The stage the image ships (the last one), as built for `service`. */
export function runtimeStage(service: ServiceName, buildArgs?: Record<string, string>): Stage {
  return serviceDockerfile(service, buildArgs).stages.at(-1)!;
}

/** Arguments of every `keyword` instruction of a stage. */
export function instructionArgs(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}
