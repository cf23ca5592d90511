export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG instructions before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

/** Parses a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const dockerfile: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`cannot read FROM ${instruction.args}`);
      dockerfile.stages.push({ from: match[1]!, name: match[2], instructions: [] });
    } else if (dockerfile.stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`);
      for (const { name, value } of argDeclarations(instruction.args)) dockerfile.globalArgs[name] = value;
    } else {
      dockerfile.stages.at(-1)!.instructions.push(instruction);
    }
  }
  return dockerfile;
}

/** The names and defaults one `ARG a b=1` instruction declares (defaults without spaces or quotes). */
export function argDeclarations(args: string): { name: string; value?: string }[] {
  return args.split(/\s+/).map((word) => {
    const [name, ...value] = word.split('=');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name!)) throw new Error(`cannot read ARG ${args}`);
    return value.length > 0 ? { name: name!, value: value.join('=') } : { name: name! };
  });
}

/** Every build argument the Dockerfile declares, before the first FROM or in a stage, with its default if it has one. */
export function declaredArgs(dockerfile: Dockerfile): Record<string, string | undefined> {
  const declared = { ...dockerfile.globalArgs };
  for (const stage of dockerfile.stages) {
    for (const { keyword, args } of stage.instructions) {
      if (keyword !== 'ARG') continue;
      for (const { name, value } of argDeclarations(args)) declared[name] = value ?? declared[name];
    }
  }
  return declared;
}

/** The image a stage starts from, with global ARG defaults substituted. */
export function baseImage(dockerfile: Dockerfile, stage: Stage): string {
  return stage.from.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => dockerfile.globalArgs[name] ?? whole);
}

/** Instructions whose arguments Docker expands with the stage's ARG and ENV values. */
const EXPANDED_BY_DOCKER = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The Dockerfile as `docker build --build-arg` would run it: each stage's instructions with ARG and ENV values
 * expanded where Docker expands them, following its scoping (a global ARG reaches a stage only if the stage
 * declares it again; a stage's ARG takes the build argument, else its own default, else the global one).
 * RUN lines are expanded too, as their shell would for `$NAME` and `${NAME}`, leaving names the stage does not
 * declare (the base image's own variables) alone. Elsewhere an undeclared or valueless reference throws, because
 * Docker would silently expand it to nothing; so does any other `${...}` form, which this reader does not model.
 */
export function resolveDockerfile(dockerfile: Dockerfile, buildArgs: Record<string, string>): Dockerfile {
  const global: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(dockerfile.globalArgs)) global[name] = buildArgs[name] ?? value;
  const stages = dockerfile.stages.map((stage): Stage => {
    const scope: Record<string, string | undefined> = {};
    const instructions = stage.instructions.map(({ keyword, args }): Instruction => {
      if (keyword === 'ARG') {
        for (const { name, value } of argDeclarations(args)) scope[name] = buildArgs[name] ?? value ?? global[name];
        return { keyword, args };
      }
      if (keyword === 'RUN') return { keyword, args: args.replace(REFERENCE, (whole, braced?: string, bare?: string) => scope[(braced ?? bare)!] ?? whole) };
      if (!EXPANDED_BY_DOCKER.has(keyword)) return { keyword, args };
      const where = `${stage.name ?? stage.from}: ${keyword} ${args}`;
      const expanded = args.replace(REFERENCE, (_whole, braced?: string, bare?: string) => {
        const name = (braced ?? bare)!;
        if (!(name in scope)) throw new Error(`${where}: $${name} is not declared in this stage (declare ARG ${name} after its FROM)`);
        const value = scope[name];
        if (value === undefined) throw new Error(`${where}: $${name} has no value (pass --build-arg ${name}=...)`);
        return value;
      });
      if (expanded.includes('${')) throw new Error(`${where}: only $NAME and \${NAME} are modelled here`);
      if (keyword === 'ENV') Object.assign(scope, envPairs(expanded));
      return { keyword, args: expanded };
    });
    return { from: stage.from.replace(REFERENCE, (whole, braced?: string, bare?: string) => global[(braced ?? bare)!] ?? whole), name: stage.name, instructions };
  });
  return { globalArgs: global, stages };
}

/** ENV of a stage as a map (`ENV A=1 B=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) if (keyword === 'ENV') Object.assign(env, envPairs(args));
  return env;
}

/** LABEL of a stage as a map (`LABEL a="x" b="y"` form). */
export function stageLabels(stage: Stage): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'LABEL') continue;
    for (const match of args.matchAll(/([A-Za-z0-9_.-]+)=("[^"]*"|\S+)/g)) labels[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return labels;
}

function envPairs(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  return env;
}
