import type { Redis } from 'ioredis';
import type { BucketCharge, BucketOutcome, RateLimitStore } from '../limits';

// The arithmetic of limits/gcra.ts, run inside Redis so that check and charge of every bucket of a request are
// one atomic step for the whole fleet. KEYS: the buckets; ARGV: now, then limit, period and cost per bucket.
// Returns per bucket: allowed (0/1, all the same), remaining (before the charge when refused), retry-after ms.
const TAKE = `
local now = tonumber(ARGV[1])
local verdicts = {}
local all = 1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i * 3 - 1])
  local period = tonumber(ARGV[i * 3])
  local cost = tonumber(ARGV[i * 3 + 1])
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local newTat = tat + cost * interval
  local excess = newTat - now - period
  local before = math.max(0, math.floor((period - (tat - now)) / interval + 1e-9))
  if excess > 0 then
    all = 0
    verdicts[i] = { tat, before, math.ceil(excess), before }
  else
    verdicts[i] = { newTat, math.max(0, math.floor((period - (newTat - now)) / interval + 1e-9)), 0, before }
  end
end
local out = {}
for i = 1, #KEYS do
  if all == 1 then
    redis.call('SET', KEYS[i], string.format('%.3f', verdicts[i][1]), 'PX', math.max(1, math.ceil(verdicts[i][1] - now)))
  end
  out[#out + 1] = all
  if all == 1 then out[#out + 1] = verdicts[i][2] else out[#out + 1] = verdicts[i][4] end
  out[#out + 1] = verdicts[i][3]
end
return out
`;

// ARGV: now, limit, period, delta. Charges without a check; an empty bucket is deleted rather than stored.
const ADJUST = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[3]) / tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local newTat = math.max(now, tat + tonumber(ARGV[4]) * interval)
if newTat > now then
  redis.call('SET', KEYS[1], string.format('%.3f', newTat), 'PX', math.max(1, math.ceil(newTat - now)))
else
  redis.call('DEL', KEYS[1])
end
return 1
`;

type ScriptedRedis = Redis & {
  switchyardLimitTake(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  switchyardLimitAdjust(key: string, ...args: number[]): Promise<number>;
};

/**
 * Bucket states in Redis, shared by every gateway replica. Each key expires when its bucket would be full
 * again, so idle tenants leave nothing behind.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
  ) {
    // defineCommand sends EVALSHA and falls back to EVAL once per connection when the script is not cached.
    redis.defineCommand('switchyardLimitTake', { lua: TAKE });
    redis.defineCommand('switchyardLimitAdjust', { numberOfKeys: 1, lua: ADJUST });
    this.redis = redis as ScriptedRedis;
  }

  async take(charges: readonly BucketCharge[], now: number): Promise<BucketOutcome[]> {
    const keys = charges.map((c) => this.keyPrefix + 'limits:' + c.key);
    const args = charges.flatMap((c) => [c.limit, c.periodMs, c.cost]);
    const flat = await this.redis.switchyardLimitTake(keys.length, ...keys, now, ...args);
    return charges.map((_, i) => ({ allowed: flat[i * 3] === 1, remaining: flat[i * 3 + 1]!, retryAfterMs: flat[i * 3 + 2]! }));
  }

  async adjust(charge: BucketCharge, now: number): Promise<void> {
    await this.redis.switchyardLimitAdjust(this.keyPrefix + 'limits:' + charge.key, now, charge.limit, charge.periodMs, charge.cost);
  }
}
