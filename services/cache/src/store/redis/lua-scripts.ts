// Lua run atomically inside Redis, so bounds, bookkeeping and the change stream never disagree even with
// many replicas writing at once. Key names are built inside the scripts from the prefix (ARGV[1]), which
// ties the cache to a standalone Redis (or Sentinel), not Redis Cluster: see docs/adr/0016.
//
// Layout under prefix P:
//   P e:<key>        hash   t tenant, c answer, u "in,out" usage, x expiry (epoch ms), s scope, v vector (f32 LE), g signature
//   P meta           hash   key -> {"b":bytes,"t":tenant,"s":scope}; survives the entry's own Redis TTL for accounting
//   P lru, P lru:<t> zsets  key -> use sequence (global and per tenant); the lowest is evicted first
//   P exp            zset   key -> expiry; the janitor removes what is due
//   P scope:<s>      set    keys of one scope (invalidation by scope)
//   P bytes, P tbytes       estimated bytes, total and per tenant
//   P counters       hash   "<what>" and "<what>|<tenant>" -> count (exact, semantic, miss, evictions, expirations)
//   P events         stream n sequence, op=put (k, t, s, x) | op=del (keys, comma-separated): replicas follow it
//   P evseq          counter of events; a follower that sees n jump knows it missed events (stream trimmed)

const PRELUDE = `
local P = ARGV[1]
local removed = {}
local function bump(what, tenant, n)
  redis.call('HINCRBY', P .. 'counters', what, n)
  redis.call('HINCRBY', P .. 'counters', what .. '|' .. tenant, n)
end
local function remove(key, why)
  local raw = redis.call('HGET', P .. 'meta', key)
  redis.call('DEL', P .. 'e:' .. key)
  if not raw then
    redis.call('ZREM', P .. 'lru', key)
    redis.call('ZREM', P .. 'exp', key)
    return false
  end
  local m = cjson.decode(raw)
  redis.call('HDEL', P .. 'meta', key)
  redis.call('ZREM', P .. 'lru', key)
  redis.call('ZREM', P .. 'lru:' .. m.t, key)
  redis.call('ZREM', P .. 'exp', key)
  if m.s ~= '' then redis.call('SREM', P .. 'scope:' .. m.s, key) end
  redis.call('DECRBY', P .. 'bytes', m.b)
  local left = redis.call('HINCRBY', P .. 'tbytes', m.t, -m.b)
  if left <= 0 and redis.call('ZCARD', P .. 'lru:' .. m.t) == 0 then redis.call('HDEL', P .. 'tbytes', m.t) end
  if why == 'expired' then bump('expirations', m.t, 1) end
  if why == 'evicted' then bump('evictions', m.t, 1) end
  if why ~= 'replaced' then removed[#removed + 1] = key end
  return m
end
local function sweep(now, limit)
  local due = redis.call('ZRANGEBYSCORE', P .. 'exp', '-inf', now, 'LIMIT', 0, limit)
  for _, key in ipairs(due) do remove(key, 'expired') end
end
local function emit(maxlen, ...)
  local n = redis.call('INCR', P .. 'evseq')
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', maxlen, '*', 'n', n, ...)
end
local function publishRemoved(maxlen)
  local i = 1
  while i <= #removed do
    local chunk = {}
    for j = i, math.min(i + 499, #removed) do chunk[#chunk + 1] = removed[j] end
    emit(maxlen, 'op', 'del', 'keys', table.concat(chunk, ','))
    i = i + 500
  end
end
`;

/**
 * ARGV: prefix, key, tenant, now, expiresAt, bytes, tenantMaxEntries, tenantMaxBytes, maxEntries, maxBytes,
 * streamMaxLen, content, usage, scope ('' for exact-only), vector, signature, ttlMs, housekeepingTtlMs.
 * Returns {stored (0|1), removed key, ...}.
 */
export const PUT_SCRIPT = `${PRELUDE}
local key, tenant = ARGV[2], ARGV[3]
local now, expiresAt, bytes = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local tenantMaxEntries, tenantMaxBytes = tonumber(ARGV[7]), tonumber(ARGV[8])
local maxEntries, maxBytes, maxlen = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local scope = ARGV[14]
sweep(now, 100)
if bytes > tenantMaxBytes or bytes > maxBytes then
  publishRemoved(maxlen)
  return {0, unpack(removed)}
end
remove(key, 'replaced')
local entryKey = P .. 'e:' .. key
redis.call('HSET', entryKey, 't', tenant, 'c', ARGV[12], 'u', ARGV[13], 'x', expiresAt)
if scope ~= '' then redis.call('HSET', entryKey, 's', scope, 'v', ARGV[15], 'g', ARGV[16]) end
-- Redis's own TTL is a safety net (a minute late); the janitor and every read use the expiry field.
redis.call('PEXPIRE', entryKey, tonumber(ARGV[17]) + 60000)
local seq = redis.call('INCR', P .. 'seq')
redis.call('ZADD', P .. 'lru', seq, key)
redis.call('ZADD', P .. 'lru:' .. tenant, seq, key)
redis.call('ZADD', P .. 'exp', expiresAt, key)
redis.call('HSET', P .. 'meta', key, cjson.encode({b = bytes, t = tenant, s = scope}))
if scope ~= '' then redis.call('SADD', P .. 'scope:' .. scope, key) end
redis.call('INCRBY', P .. 'bytes', bytes)
redis.call('HINCRBY', P .. 'tbytes', tenant, bytes)
local tenantLru = P .. 'lru:' .. tenant
while redis.call('ZCARD', tenantLru) > tenantMaxEntries or tonumber(redis.call('HGET', P .. 'tbytes', tenant) or '0') > tenantMaxBytes do
  local victim = redis.call('ZRANGE', tenantLru, 0, 0)[1]
  if not victim or victim == key then break end
  remove(victim, 'evicted')
end
while redis.call('ZCARD', P .. 'lru') > maxEntries or tonumber(redis.call('GET', P .. 'bytes') or '0') > maxBytes do
  local victim = redis.call('ZRANGE', P .. 'lru', 0, 0)[1]
  if not victim or victim == key then break end
  remove(victim, 'evicted')
end
if scope ~= '' then
  emit(maxlen, 'op', 'put', 'k', key, 't', tenant, 's', scope, 'x', expiresAt)
end
publishRemoved(maxlen)
-- Shared bookkeeping outlives every entry by a margin and then goes: an abandoned prefix (a test run, a
-- renamed deployment) does not stay in Redis forever. Each Store pushes the deadline out again.
for _, name in ipairs({'events', 'counters', 'seq', 'evseq', 'bytes', 'tbytes', 'meta', 'lru', 'exp'}) do
  redis.call('PEXPIRE', P .. name, ARGV[18])
end
return {1, unpack(removed)}
`;

/** ARGV: prefix, now, limit, streamMaxLen. Removes entries whose expiry is due; returns their keys. */
export const SWEEP_SCRIPT = `${PRELUDE}
sweep(tonumber(ARGV[2]), tonumber(ARGV[3]))
publishRemoved(ARGV[4])
return removed
`;

/** ARGV: prefix, key, tenant. Marks an entry used (LRU) if it still exists. */
export const TOUCH_SCRIPT = `
local P, key, tenant = ARGV[1], ARGV[2], ARGV[3]
if redis.call('ZSCORE', P .. 'lru', key) then
  local seq = redis.call('INCR', P .. 'seq')
  redis.call('ZADD', P .. 'lru', 'XX', seq, key)
  redis.call('ZADD', P .. 'lru:' .. tenant, 'XX', seq, key)
end
return 0
`;

/**
 * ARGV: prefix, tenant, target kind (entry|scope|tenant), target (key or scope), chunk, streamMaxLen.
 * Removes up to `chunk` of the tenant's matching entries; returns {removed count, left, removed key, ...}.
 */
export const INVALIDATE_SCRIPT = `${PRELUDE}
local tenant, kind, target, chunk, maxlen = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local candidates, left = {}, 0
if kind == 'entry' then
  candidates = {target}
elseif kind == 'scope' then
  candidates = redis.call('SRANDMEMBER', P .. 'scope:' .. target, chunk)
else
  candidates = redis.call('ZRANGE', P .. 'lru:' .. tenant, 0, chunk - 1)
end
local count = 0
for _, key in ipairs(candidates) do
  local raw = redis.call('HGET', P .. 'meta', key)
  if raw then
    -- Never across tenants, whatever key or scope the caller named.
    if cjson.decode(raw).t == tenant then
      remove(key, 'invalidated')
      count = count + 1
    elseif kind == 'scope' then
      redis.call('SREM', P .. 'scope:' .. target, key)
    end
  else
    -- Bookkeeping left behind without its entry: drop it so the loop always makes progress.
    if kind == 'scope' then redis.call('SREM', P .. 'scope:' .. target, key) end
    if kind == 'tenant' then redis.call('ZREM', P .. 'lru:' .. tenant, key) end
  end
end
if kind == 'scope' then left = redis.call('SCARD', P .. 'scope:' .. target) end
if kind == 'tenant' then left = redis.call('ZCARD', P .. 'lru:' .. tenant) end
publishRemoved(maxlen)
return {count, left, unpack(removed)}
`;
