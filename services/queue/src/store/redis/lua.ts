/**
 * Lua scripts of the Redis admission store. Each runs atomically, so a grant, a release or a shed changes the
 * pool's leases, waiters and counters together and no two replicas can hand out the same slot.
 *
 * Keys of one pool share the prefix KEYS[1] = `<prefix>:{<pool>}` (one hash slot, so Redis Cluster works):
 *   :leases     ZSET lease id -> expiry (Redis ms)        :lease    HASH lease id -> [tenant, priority, grantedAt, waitMs, requestId]
 *   :waiters    HASH waiter id -> [priority, tenant, enqueuedAt, deadline, replica, requestId]
 *   :q:<p>      ZSET waiter id -> arrival seq (one level) :t:<p>:<tenant> ZSET waiter id -> seq (tenant FIFO)
 *   :ring:<p>   LIST tenants with waiters, round-robin    :td:<p>   ZSET tenant -> waiters at that level
 *   :tenants    HASH tenant -> waiters (all levels)       :rw:<replica> SET waiter ids held by that replica
 *   :replicas   ZSET replica -> presence expiry           :meta     HASH seq, hold (EWMA ms), share (min-share credit)
 *   :counters   HASH outcome -> total
 * A lease's id is the id of the waiter it was granted to. Time is Redis's clock (TIME), so lease expiry does not
 * depend on the replicas' clocks; deadlines come from the replica and are checked again there at delivery.
 * ARGV[1] is the pool's settings as JSON (see RedisPoolSettings in redis-scripts.ts); ARGV[2..] per script.
 * Every script answers one JSON object: { r = result, lapsed = leases reclaimed now, next = earliest lease expiry, now }.
 *
 * Ordering and shedding mirror the in-memory queue (fair-wait-queue.ts, overload-policy.ts, min-share.ts); the
 * behaviour suite (store/admission-behaviour.spec.ts) runs the same cases against both.
 */
const PRELUDE = `
local K = KEYS[1]
local C = cjson.decode(ARGV[1])
local clock = redis.call('TIME')
local NOW = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local LEASES, LEASE, WAITERS = K .. ':leases', K .. ':lease', K .. ':waiters'
local META, COUNTERS, TENANTS, REPLICAS = K .. ':meta', K .. ':counters', K .. ':tenants', K .. ':replicas'
local function q(p) return K .. ':q:' .. p end
local function tq(p, tenant) return K .. ':t:' .. p .. ':' .. tenant end
local function ring(p) return K .. ':ring:' .. p end
local function td(p) return K .. ':td:' .. p end
local function rw(replica) return K .. ':rw:' .. replica end
local lapsed = {}

local function count(field, n) redis.call('HINCRBY', COUNTERS, field, n or 1) end

-- Returns how many subscribers received it: 0 means the waiter's replica is gone (its connection closed).
local function notify(replica, kind, id, arg)
  return redis.call('PUBLISH', C.ch .. replica, cjson.encode({C.pool, id, kind, arg}))
end

local function present() redis.call('ZADD', REPLICAS, NOW + C.rttl, C.rid) end

local function alive(replica)
  local expiry = redis.call('ZSCORE', REPLICAS, replica)
  return expiry and tonumber(expiry) > NOW
end

local function add_waiter(id, p, tenant, deadline, request_id)
  local seq = redis.call('HINCRBY', META, 'seq', 1)
  redis.call('HSET', WAITERS, id, cjson.encode({p, tenant, NOW, deadline, C.rid, request_id}))
  redis.call('ZADD', q(p), seq, id)
  redis.call('ZADD', tq(p, tenant), seq, id)
  if redis.call('ZCARD', tq(p, tenant)) == 1 then redis.call('RPUSH', ring(p), tenant) end
  redis.call('ZINCRBY', td(p), 1, tenant)
  redis.call('HINCRBY', TENANTS, tenant, 1)
  redis.call('SADD', rw(C.rid), id)
end

-- Takes a waiter out of every structure and returns its record, or nil if it is not waiting.
-- keep_ring: the caller already popped the tenant from the ring and decides itself whether it goes back.
local function remove_waiter(id, keep_ring)
  local raw = redis.call('HGET', WAITERS, id)
  if not raw then return nil end
  local w = cjson.decode(raw)
  local p, tenant = w[1], w[2]
  redis.call('HDEL', WAITERS, id)
  redis.call('ZREM', q(p), id)
  redis.call('ZREM', tq(p, tenant), id)
  if not keep_ring and redis.call('ZCARD', tq(p, tenant)) == 0 then redis.call('LREM', ring(p), 0, tenant) end
  if tonumber(redis.call('ZINCRBY', td(p), -1, tenant)) <= 0 then redis.call('ZREM', td(p), tenant) end
  if redis.call('HINCRBY', TENANTS, tenant, -1) <= 0 then redis.call('HDEL', TENANTS, tenant) end
  redis.call('SREM', rw(w[5]), id)
  return w
end

local function average_hold()
  return tonumber(redis.call('HGET', META, 'hold') or C.hold0)
end

local function grant(id, p, tenant, wait, request_id)
  redis.call('ZADD', LEASES, NOW + C.ttl, id)
  redis.call('HSET', LEASE, id, cjson.encode({tenant, p, NOW, wait, request_id}))
  count('granted')
end

-- Ends a lease as released or lapsed; returns {id, tenant, priority, waitMs, holdMs, requestId} or nil.
local function end_lease(id, how)
  if redis.call('ZREM', LEASES, id) == 0 then return nil end
  local info = cjson.decode(redis.call('HGET', LEASE, id) or '["",3,0,0,""]')
  redis.call('HDEL', LEASE, id)
  local hold = math.max(0, NOW - info[3])
  local avg = average_hold()
  redis.call('HSET', META, 'hold', avg + 0.2 * (hold - avg))
  count(how)
  return {id, info[1], info[2], info[4], hold, info[5]}
end

local function reclaim()
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', NOW)) do
    local ended = end_lease(id, 'lapsed')
    if ended then table.insert(lapsed, ended) end
  end
end

-- Strict priority, except every floor(100 / share)-th contended grant, owed to the less urgent level whose
-- oldest waiter arrived first (min-share.ts).
local function pick_level()
  local top
  for p = 1, 5 do
    if redis.call('ZCARD', q(p)) > 0 then top = p; break end
  end
  if not top or C.share <= 0 then return top end
  local best, best_seq
  for p = top + 1, 5 do
    local head = redis.call('ZRANGE', q(p), 0, 0, 'WITHSCORES')
    if head[2] and (not best_seq or tonumber(head[2]) < best_seq) then best, best_seq = p, tonumber(head[2]) end
  end
  if not best then return top end
  if redis.call('HINCRBY', META, 'share', 1) >= math.floor(100 / C.share) then
    redis.call('HSET', META, 'share', 0)
    return best
  end
  return top
end

-- Next tenant of the level's ring, oldest waiter of that tenant; the tenant goes to the back of the ring.
local function shift_at(p)
  local tenant = redis.call('LPOP', ring(p))
  if not tenant then return nil end
  local id = redis.call('ZRANGE', tq(p, tenant), 0, 0)[1]
  if not id then return nil end
  local w = remove_waiter(id, true)
  if redis.call('ZCARD', tq(p, tenant)) > 0 then redis.call('RPUSH', ring(p), tenant) end
  return id, w
end

-- Grants free slots in order. A waiter past its deadline is expired instead. One whose replica stopped
-- heartbeating, or whose replica nobody hears any more (PUBLISH reached no subscriber: the process died and
-- its connection closed), is dropped rather than granted, since nobody would ever release that lease.
local function pump()
  while redis.call('ZCARD', LEASES) < C.max do
    local p = pick_level()
    if not p then return end
    local id, w = shift_at(p)
    if not id then return end
    local wait = math.max(0, NOW - w[3])
    if w[4] > 0 and NOW >= w[4] then
      count('expired')
      notify(w[5], 'x', id, wait)
    elseif not alive(w[5]) then
      count('cancelled')
    elseif notify(w[5], 'g', id, wait) > 0 then
      grant(id, w[1], w[2], wait, w[6])
    else
      count('cancelled')
    end
  end
end

local function reply(r)
  local first = redis.call('ZRANGE', LEASES, 0, 0, 'WITHSCORES')
  return cjson.encode({r = r, lapsed = lapsed, next = first[2] and tonumber(first[2]) or 0, now = NOW})
end
`;

/** ARGV: settings, id, tenant, priority, deadline (0 = none), requestId. */
const ENQUEUE = `
local id, tenant, p, deadline, request_id = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]

-- The tenant with most waiters at level p and its newest waiter; ties go to the tenant whose newest is newest.
local function deepest(p)
  local top = redis.call('ZREVRANGE', td(p), 0, 0, 'WITHSCORES')
  if not top[1] then return nil end
  local depth = tonumber(top[2])
  local newest = redis.call('ZRANGE', q(p), -1, -1)[1]
  local owner = cjson.decode(redis.call('HGET', WAITERS, newest))[2]
  if tonumber(redis.call('ZSCORE', td(p), owner)) == depth then return depth, newest end
  local best_id, best_seq
  for _, t in ipairs(redis.call('ZRANGEBYSCORE', td(p), depth, depth)) do
    local last = redis.call('ZRANGE', tq(p, t), -1, -1, 'WITHSCORES')
    if last[2] and (not best_seq or tonumber(last[2]) > best_seq) then best_id, best_seq = last[1], tonumber(last[2]) end
  end
  return depth, best_id
end

-- overload-policy.ts: shed from the least urgent level below the arrival, or from its own level when the
-- deepest tenant there has at least two more waiters than the arrival's tenant; otherwise refuse.
local function choose_victim()
  local lowest
  for l = 5, 1, -1 do
    if redis.call('ZCARD', q(l)) > 0 then lowest = l; break end
  end
  if not lowest or lowest < p then return nil end
  local depth, victim = deepest(lowest)
  if not victim then return nil end
  if lowest > p then return victim end
  if depth >= tonumber(redis.call('ZSCORE', td(lowest), tenant) or 0) + 2 then return victim end
  return nil
end

present()
reclaim()
-- Slots freed by lapsed leases go to those already waiting before this arrival.
pump()
if redis.call('HLEN', WAITERS) == 0 and redis.call('ZCARD', LEASES) < C.max then
  grant(id, p, tenant, 0, request_id)
  return reply({k = 'granted'})
end
local waiting = redis.call('HLEN', WAITERS)
if waiting >= C.qmax then
  local retry = math.min(C.rmax, math.max(C.rmin, math.ceil(average_hold() * (waiting + 1) / C.max)))
  local victim = choose_victim()
  if not victim then
    count('rejected')
    return reply({k = 'rejected', retry = retry})
  end
  local w = remove_waiter(victim)
  count('shed')
  notify(w[5], 's', victim, retry)
end
add_waiter(id, p, tenant, deadline, request_id)
return reply({k = 'queued'})
`;

/** ARGV: settings, lease id. */
const RELEASE = `
reclaim()
local ended = end_lease(ARGV[2], 'released')
pump()
return reply({k = ended and 1 or 0, lease = ended or false})
`;

/** ARGV: settings, lease id. */
const RENEW = `
reclaim()
local renewed = 0
if redis.call('ZSCORE', LEASES, ARGV[2]) then
  redis.call('ZADD', LEASES, NOW + C.ttl, ARGV[2])
  renewed = 1
end
pump()
return reply({k = renewed})
`;

/**
 * A caller left (cancel, local deadline, replica shutdown, or waiters orphaned by an outage).
 * ARGV: settings, reason ('cancelled' | 'expired'), ids... Each id still waiting is removed; one already granted
 * (the grant crossed the caller's departure) is taken back and counted as the reason, not as granted.
 * Answers per id: 'w' was waiting, 'g' grant taken back, '-' unknown.
 */
const LEAVE = `
local reason, found = ARGV[2], {}
reclaim()
for i = 3, #ARGV do
  local id = ARGV[i]
  if remove_waiter(id) then
    count(reason)
    found[#found + 1] = 'w'
  elseif redis.call('ZREM', LEASES, id) == 1 then
    redis.call('HDEL', LEASE, id)
    count('granted', -1)
    count(reason)
    found[#found + 1] = 'g'
  else
    found[#found + 1] = '-'
  end
end
pump()
return reply({k = found})
`;

/**
 * Heartbeat and safety net of a replica with waiters in the pool: refresh its presence, drop waiters of replicas
 * that stopped heartbeating, reclaim lapsed leases, grant, and report on the replica's own waiters so a lost
 * wake-up is noticed. ARGV: settings, ids... Answers per id: 'w' waiting, 'g:<waitMs>' granted, '-' gone.
 */
const TICK = `
present()
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', REPLICAS, '-inf', NOW)) do
  for _, id in ipairs(redis.call('SMEMBERS', rw(dead))) do
    if remove_waiter(id) then count('cancelled') end
  end
  redis.call('DEL', rw(dead))
  redis.call('ZREM', REPLICAS, dead)
end
reclaim()
pump()
local status = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('HEXISTS', WAITERS, id) == 1 then
    status[#status + 1] = 'w'
  else
    local lease = redis.call('HGET', LEASE, id)
    status[#status + 1] = lease and ('g:' .. cjson.decode(lease)[4]) or '-'
  end
end
return reply({k = status})
`;

/** ARGV: settings. Reclaims and grants first so the numbers describe the pool as it should be now. */
const STATS = `
reclaim()
pump()
local depth, oldest = {}, nil
for p = 1, 5 do
  depth[p] = redis.call('ZCARD', q(p))
  local head = redis.call('ZRANGE', q(p), 0, 0)[1]
  if head then
    local enqueued = cjson.decode(redis.call('HGET', WAITERS, head))[3]
    if not oldest or enqueued < oldest then oldest = enqueued end
  end
end
return reply({
  active = redis.call('ZCARD', LEASES),
  waiting = redis.call('HLEN', WAITERS),
  depth = depth,
  tenants = redis.call('HGETALL', TENANTS),
  counters = redis.call('HGETALL', COUNTERS),
  oldest = oldest and math.max(0, NOW - oldest) or 0,
  hold = average_hold(),
  replicas = redis.call('ZCOUNT', REPLICAS, '(' .. NOW, '+inf'),
})
`;

export const ADMISSION_SCRIPTS = {
  queueEnqueue: PRELUDE + ENQUEUE,
  queueRelease: PRELUDE + RELEASE,
  queueRenew: PRELUDE + RENEW,
  queueLeave: PRELUDE + LEAVE,
  queueTick: PRELUDE + TICK,
  queueStats: PRELUDE + STATS,
} as const;

export type AdmissionScriptName = keyof typeof ADMISSION_SCRIPTS;
