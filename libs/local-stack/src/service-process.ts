import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export interface ServiceProcessSpec {
  /** Label for output, e.g. `queue` or `upstream-sim:eastus`. */
  name: string;
  /** Folder of the service package (holds dist/main.js and dist/instrument.js). */
  dir: string;
  env: Record<string, string>;
  /** Where the child's stdout/stderr go; nothing is kept when omitted. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface RunningService {
  name: string;
  port: number;
  address: string;
  /** Every field of the ready line, for endpoints beyond the main one (e.g. `http_address`). */
  ready: Record<string, unknown>;
  pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts one service as its own Node process, with telemetry preloaded, and resolves once it prints
 * its ready line (a JSON log with event "ready" and the bound port). Rejects with the process's last
 * output if it exits or stays silent past the timeout.
 */
export function startServiceProcess(spec: ServiceProcessSpec): Promise<RunningService> {
  const instrument = path.join(spec.dir, 'dist', 'instrument.js');
  const main = path.join(spec.dir, 'dist', 'main.js');
  for (const file of [instrument, main]) {
    if (!fs.existsSync(file)) return Promise.reject(new Error(`${spec.name}: ${file} is missing; build first (npx nx run-many -t build)`));
  }
  const child = spawn(process.execPath, ['--require', instrument, main], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = spec.logFile ? fs.createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
  const recent: string[] = [];
  const remember = (line: string) => {
    log?.write(line + '\n');
    recent.push(line);
    if (recent.length > 40) recent.shift();
  };
  readline.createInterface({ input: child.stderr! }).on('line', remember);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => log?.end());

  return new Promise<RunningService>((resolve, reject) => {
    const timeoutMs = spec.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} failed to start: ${why}\n--- last output ---\n${recent.join('\n')}`));
    };
    exited.then((code) => fail(`exited with code ${code}`));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      if (settled) return;
      const ready = parseReadyLine(line);
      if (!ready) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        name: spec.name,
        port: ready.port,
        address: ready.address,
        ready: ready.record,
        pid: child.pid!,
        exited,
        stop: (graceMs = 10_000) => stopChild(child, exited, graceMs),
      });
    });
  });
}

function parseReadyLine(line: string): { port: number; address: string; record: Record<string, unknown> } | undefined {
  if (!line.includes('"ready"')) return undefined;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record.event === 'ready' && typeof record.port === 'number' && typeof record.address === 'string') {
      return { port: record.port, address: record.address, record };
    }
  } catch {
    // Not JSON: an ordinary output line.
  }
  return undefined;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
