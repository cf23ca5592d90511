import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { systemClock, systemTimers, unrefTimers, type Timers } from './clock';

const run = promisify(execFile);

afterEach(() => jest.useRealTimers());

describe('systemClock', () => {
  it('reads Date.now on every call, so fake timers installed after import control it', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    expect(systemClock.now()).toBe(1_700_000_000_000);

    jest.advanceTimersByTime(250);

    expect(systemClock.now()).toBe(1_700_000_000_250);
  });
});

describe.each<[string, Timers]>([
  ['systemTimers', systemTimers],
  ['unrefTimers', unrefTimers],
])('%s', (_name, timers) => {
  it('fires through fake timers installed after import, not before the delay', () => {
    jest.useFakeTimers();
    const fired = jest.fn();

    timers.setTimeout(fired, 100);
    jest.advanceTimersByTime(99);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);

    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never fires a timer that was cleared', () => {
    jest.useFakeTimers();
    const fired = jest.fn();

    const handle = timers.setTimeout(fired, 100);
    timers.clearTimeout(handle);
    jest.advanceTimersByTime(1_000);

    expect(fired).not.toHaveBeenCalled();
  });
});

describe('keeping the process alive', () => {
  it('a systemTimers timer holds the event loop; an unrefTimers timer does not', () => {
    const held = systemTimers.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    const loose = unrefTimers.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    try {
      expect(held.hasRef()).toBe(true);
      expect(loose.hasRef()).toBe(false);
    } finally {
      systemTimers.clearTimeout(held);
      unrefTimers.clearTimeout(loose);
    }
  });

  // A real process, so "does not keep it alive" is observed rather than inferred from hasRef(). Runs the built
  // module (the test target depends on the build).
  const builtClock = path.resolve(__dirname, '../dist/clock.js');
  const outputOfChildWith = async (timers: 'systemTimers' | 'unrefTimers', delayMs: number) => {
    const script = `require(${JSON.stringify(builtClock)}).${timers}.setTimeout(() => process.stdout.write('fired'), ${delayMs});`;
    // A child still running after 10 s is killed and the call rejects, failing the test.
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 10_000 });
    return stdout;
  };

  it('a process whose only pending work is an unrefTimers timer exits without waiting for it', async () => {
    expect(await outputOfChildWith('unrefTimers', 60_000)).toBe('');
  }, 15_000);

  it('a process with a pending systemTimers timer stays alive until it fires', async () => {
    expect(await outputOfChildWith('systemTimers', 50)).toBe('fired');
  }, 15_000);
});
