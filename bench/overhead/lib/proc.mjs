import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Starts `node args...` and resolves when it prints a JSON line with event "ready" (or `readyPattern` matches). */
export function startNode(name, args, { env = {}, cwd, readyPattern, timeoutMs = 30_000, logFile } = {}) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = logFile ? fs.createWriteStream(logFile) : undefined;
  child.stderr.on('data', (d) => log?.write(d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    let ready = false;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log?.write(line + '\n');
      if (ready) return;
      let record;
      if (readyPattern) record = readyPattern.test(line) ? {} : undefined;
      else {
        try {
          const parsed = JSON.parse(line);
          if (parsed.event === 'ready') record = parsed;
        } catch {
          /* not JSON */
        }
      }
      if (!record) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        name,
        pid: child.pid,
        ready: record,
        address: record.address,
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}
