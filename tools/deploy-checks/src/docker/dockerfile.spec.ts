import { declaredArgs, parseDockerfile, resolveDockerfile, stageEnv, stageLabels } from './dockerfile';

const dockerfile = (...lines: string[]) => parseDockerfile(lines.join('\n'));

describe('resolveDockerfile (build arguments as docker build applies them)', () => {
  it('gives a stage a global argument only where the stage declares it again', () => {
    const withoutRedeclaration = dockerfile('ARG PORT', 'FROM node:20.20.2 AS runtime', 'EXPOSE ${PORT}');
    expect(() => resolveDockerfile(withoutRedeclaration, { PORT: '50052' })).toThrow(/\$PORT is not declared in this stage/);

    const redeclared = dockerfile('ARG PORT', 'FROM node:20.20.2 AS runtime', 'ARG PORT', 'EXPOSE ${PORT} 9464');
    expect(resolveDockerfile(redeclared, { PORT: '50052' }).stages[0]!.instructions.at(-1)).toEqual({ keyword: 'EXPOSE', args: '50052 9464' });
  });

  it('takes the build argument over the stage default, and the global default when the stage declares none', () => {
    const file = dockerfile('ARG IMAGE=node:20.20.2', 'ARG USER_ID=1000', 'FROM $IMAGE', 'ARG USER_ID', 'ARG VERSION=dev', 'USER ${USER_ID}', 'LABEL version="${VERSION}"');
    const defaults = resolveDockerfile(file, {});
    expect(defaults.stages[0]!.from).toBe('node:20.20.2');
    expect(defaults.stages[0]!.instructions.filter((i) => i.keyword !== 'ARG')).toEqual([
      { keyword: 'USER', args: '1000' },
      { keyword: 'LABEL', args: 'version="dev"' },
    ]);
    const given = resolveDockerfile(file, { IMAGE: 'node:22.1.0', USER_ID: '1001', VERSION: '0.2.0' });
    expect(given.stages[0]!.from).toBe('node:22.1.0');
    expect(stageLabels(given.stages[0]!)).toEqual({ version: '0.2.0' });
    expect(given.stages[0]!.instructions.find((i) => i.keyword === 'USER')!.args).toBe('1001');
  });

  it('expands the names of ENV variables as well as their values', () => {
    const file = dockerfile('FROM node:20.20.2', 'ARG PORT_VAR=GRPC_PORT SERVICE_PORT', 'ENV NODE_ENV=production ${PORT_VAR}=${SERVICE_PORT}');
    expect(stageEnv(resolveDockerfile(file, { SERVICE_PORT: '50053' }).stages[0]!)).toEqual({ NODE_ENV: 'production', GRPC_PORT: '50053' });
    expect(stageEnv(resolveDockerfile(file, { SERVICE_PORT: '8400', PORT_VAR: 'SIM_PORT' }).stages[0]!)).toEqual({ NODE_ENV: 'production', SIM_PORT: '8400' });
  });

  it('fails on an argument without a value where Docker would expand it to nothing', () => {
    const file = dockerfile('FROM node:20.20.2', 'ARG SERVICE', 'LABEL title="switchyard-${SERVICE}"');
    expect(() => resolveDockerfile(file, {})).toThrow(/\$SERVICE has no value/);
  });

  it("expands RUN's references to declared arguments and leaves the base image's own variables to the shell", () => {
    const file = dockerfile('FROM node:20.20.2', 'ARG SERVICE', 'RUN npx nx run ${SERVICE}:build && echo $PATH');
    expect(resolveDockerfile(file, { SERVICE: 'cache' }).stages[0]!.instructions.at(-1)!.args).toBe('npx nx run cache:build && echo $PATH');
  });

  it('does not expand HEALTHCHECK, ENTRYPOINT or CMD, as Docker does not', () => {
    const file = dockerfile('FROM node:20.20.2', 'ARG PORT=1', 'HEALTHCHECK CMD ["node", "check.cjs", "${PORT}"]');
    expect(resolveDockerfile(file, {}).stages[0]!.instructions.at(-1)!.args).toBe('CMD ["node", "check.cjs", "${PORT}"]');
  });

  it('lists every declared argument with its default, from before the first FROM and from each stage', () => {
    const file = dockerfile('ARG NODE_IMAGE=node:20.20.2', 'ARG SERVICE', 'FROM $NODE_IMAGE', 'ARG SERVICE VERSION=dev');
    expect(declaredArgs(file)).toEqual({ NODE_IMAGE: 'node:20.20.2', SERVICE: undefined, VERSION: 'dev' });
  });
});
