import { z } from 'zod';
import { ConfigError, envAddress, envBoolean, envInt, envJson, envNumber, envPort, grpcServerSettings, loadConfig } from './config';

const schema = z.object({
  PORT: envPort(50051),
  WORKERS: envInt(4, 1, 64),
  RATIO: envNumber(0.5, 0, 1),
  VERBOSE: envBoolean(false),
  FAST_PATH: envBoolean(true),
  QUEUE_ADDR: envAddress('127.0.0.1:50052'),
  REGIONS: envJson(z.array(z.object({ name: z.string(), weight: z.number().positive() })), [{ name: 'eu', weight: 1 }]),
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig('test-service', schema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw ConfigError');
}

describe('loadConfig', () => {
  it('applies every default when the environment sets nothing', () => {
    expect(loadConfig('test-service', schema, {})).toEqual({
      PORT: 50051,
      WORKERS: 4,
      RATIO: 0.5,
      VERBOSE: false,
      FAST_PATH: true,
      QUEUE_ADDR: '127.0.0.1:50052',
      REGIONS: [{ name: 'eu', weight: 1 }],
    });
  });

  it('reads values from the environment and coerces them to the schema types', () => {
    const config = loadConfig('test-service', schema, {
      PORT: '0',
      WORKERS: '8',
      RATIO: '0.25',
      VERBOSE: '1',
      FAST_PATH: '0',
      QUEUE_ADDR: 'queue.switchyard.svc:7000',
      REGIONS: '[{"name":"us","weight":2}]',
    });
    expect(config).toEqual({
      PORT: 0,
      WORKERS: 8,
      RATIO: 0.25,
      VERBOSE: true,
      FAST_PATH: false,
      QUEUE_ADDR: 'queue.switchyard.svc:7000',
      REGIONS: [{ name: 'us', weight: 2 }],
    });
  });

  it('treats an empty variable as unset, so its default applies', () => {
    const config = loadConfig('test-service', schema, { PORT: '', VERBOSE: '', REGIONS: '', QUEUE_ADDR: '' });
    expect(config.PORT).toBe(50051);
    expect(config.VERBOSE).toBe(false);
    expect(config.REGIONS).toEqual([{ name: 'eu', weight: 1 }]);
    expect(config.QUEUE_ADDR).toBe('127.0.0.1:50052');
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig('test-service', z.object({ PORT: envPort(1) }), { PORT: '2', HOME: '/root' })).toEqual({ PORT: 2 });
  });

  it('stops with a ConfigError naming the service, the variable and the bad value', () => {
    let caught: unknown;
    try {
      loadConfig('queue', schema, { PORT: 'eighty' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.service).toBe('queue');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^PORT: /);
    expect(error.problems[0]).toContain('(got "eighty")');
    expect(error.message).toContain('invalid configuration for queue');
    expect(error.message).toContain('PORT');
  });

  it('reports every bad variable at once, not just the first', () => {
    const problems = problemsOf({ PORT: '70000', WORKERS: '0', RATIO: '2' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['PORT', 'RATIO', 'WORKERS']);
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('"70000"');
    expect(problems.find((p) => p.startsWith('WORKERS'))).toContain('"0"');
  });

  it('rejects a port that is not a whole number', () => {
    expect(problemsOf({ PORT: '50.5' })[0]).toMatch(/^PORT: .*\(got "50.5"\)$/);
  });
});

describe('envBoolean', () => {
  it('reads "false" and "0" as false and "true" and "1" as true (unlike z.coerce.boolean)', () => {
    const flag = z.object({ FLAG: envBoolean(true) });
    expect(loadConfig('s', flag, { FLAG: 'false' }).FLAG).toBe(false);
    expect(loadConfig('s', flag, { FLAG: '0' }).FLAG).toBe(false);
    expect(loadConfig('s', flag, { FLAG: 'true' }).FLAG).toBe(true);
    expect(loadConfig('s', flag, { FLAG: '1' }).FLAG).toBe(true);
  });

  it('rejects any other spelling, naming the variable and the value', () => {
    expect(problemsOf({ VERBOSE: 'yes' })[0]).toMatch(/^VERBOSE: .*\(got "yes"\)$/);
  });
});

describe('envJson', () => {
  it('rejects text that is not JSON, naming the variable', () => {
    const problems = problemsOf({ REGIONS: '[{name: eu}]' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REGIONS: expected valid JSON/);
    expect(problems[0]).toContain('(got "[{name: eu}]")');
  });

  it('rejects JSON that breaks the schema, naming the variable and where inside it', () => {
    const problems = problemsOf({ REGIONS: '[{"name":"eu","weight":1},{"name":"us","weight":-3}]' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REGIONS/);
    expect(problems[0]).toContain('1.weight');
  });

  it('rejects JSON of the wrong shape at the top level', () => {
    expect(problemsOf({ REGIONS: '{"name":"eu"}' })[0]).toMatch(/^REGIONS: /);
  });
});

describe('envAddress', () => {
  const addr = z.object({ ADDR: envAddress('localhost:1') });

  it('accepts host:port for names and IPv4 addresses', () => {
    expect(loadConfig('s', addr, { ADDR: 'cache:50053' }).ADDR).toBe('cache:50053');
    expect(loadConfig('s', addr, { ADDR: '10.0.0.7:8080' }).ADDR).toBe('10.0.0.7:8080');
  });

  it.each(['cache', 'cache:', ':50053', 'cache:port', 'cache :50053', 'http://cache:50053'])('rejects %j as not host:port', (value) => {
    expect(() => loadConfig('s', addr, { ADDR: value })).toThrow(/ADDR: expected host:port/);
  });
});

describe('grpcServerSettings', () => {
  it('defaults to loopback, the service port and a 4 MiB message limit', () => {
    expect(loadConfig('s', z.object(grpcServerSettings(50060)), {})).toEqual({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: 50060,
      GRPC_MAX_MESSAGE_BYTES: 4 * 1024 * 1024,
    });
  });
});
